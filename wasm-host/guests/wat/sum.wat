;; sum.wat: the sum of all bytes of view 0, read with plain loads.
;; `run` returns it as an i64. The smallest possible mapview guest.
(module
  (import "mapview" "view_count" (func $view_count (result i32)))
  (import "mapview" "view_addr" (func $view_addr (param i32) (result i32)))
  (import "mapview" "view_len" (func $view_len (param i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "run") (result i64)
    (local $p i32) (local $end i32) (local $sum i64)
    (if (i32.eqz (call $view_count)) (then (return (i64.const -1))))
    (local.set $p (call $view_addr (i32.const 0)))
    (local.set $end (i32.add (local.get $p) (call $view_len (i32.const 0))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $sum (i64.add (local.get $sum) (i64.load8_u (local.get $p))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $next)))
    (local.get $sum))
  ;; Reads one byte at any guest address (for tests of what traps).
  (func (export "peek") (param $addr i32) (result i32)
    (i32.load8_u (local.get $addr)))
  ;; Stores one byte at any guest address.
  (func (export "poke") (param $addr i32) (param $v i32)
    (i32.store8 (local.get $addr) (local.get $v))))
