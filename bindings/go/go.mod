module mapview.dev/mapview

go 1.24
