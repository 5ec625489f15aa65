;; search.wat: counts (possibly overlapping) occurrences of argument 0 in
;; every view and returns the total. The pattern is read into this
;; memory at address 0 (at most 1024 bytes).
(module
  (import "mapview" "view_count" (func $view_count (result i32)))
  (import "mapview" "view_addr" (func $view_addr (param i32) (result i32)))
  (import "mapview" "view_len" (func $view_len (param i32) (result i32)))
  (import "mapview" "arg_count" (func $arg_count (result i32)))
  (import "mapview" "arg_read" (func $arg_read (param i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  ;; Does the pattern (at 0, $n bytes) start at $p?
  (func $match_at (param $p i32) (param $n i32) (result i32) (local $k i32)
    (loop $next
      (if (i32.ge_u (local.get $k) (local.get $n)) (then (return (i32.const 1))))
      (if (i32.ne (i32.load8_u (i32.add (local.get $p) (local.get $k)))
                  (i32.load8_u (local.get $k)))
        (then (return (i32.const 0))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $next))
    (i32.const 0))
  (func (export "run") (result i64)
    (local $n i32) (local $v i32) (local $p i32) (local $last i32) (local $total i64)
    (if (i32.eqz (call $arg_count)) (then (return (i64.const -1))))
    (local.set $n (call $arg_read (i32.const 0) (i32.const 0) (i32.const 1024)))
    (if (i32.eqz (local.get $n)) (then (return (i64.const 0))))
    (block $views_done
      (loop $views
        (br_if $views_done (i32.ge_u (local.get $v) (call $view_count)))
        (local.set $p (call $view_addr (local.get $v)))
        ;; last start position + 1
        (local.set $last (i32.add (local.get $p)
          (i32.sub (call $view_len (local.get $v)) (local.get $n))))
        (if (i32.ge_s (call $view_len (local.get $v)) (local.get $n))
          (then
            (block $done
              (loop $next
                (br_if $done (i32.gt_u (local.get $p) (local.get $last)))
                (if (call $match_at (local.get $p) (local.get $n))
                  (then (local.set $total (i64.add (local.get $total) (i64.const 1)))))
                (local.set $p (i32.add (local.get $p) (i32.const 1)))
                (br $next)))))
        (local.set $v (i32.add (local.get $v) (i32.const 1)))
        (br $views)))
    (local.get $total)))
