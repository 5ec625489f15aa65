;; lines.wat: lines and words over every view, like `wc -l -w`.
;; `run` returns lines in the low 32 bits and words in the high 32 bits of
;; an i64; `lines` and `words` return one count for view i.
(module
  (import "mapview" "view_count" (func $view_count (result i32)))
  (import "mapview" "view_addr" (func $view_addr (param i32) (result i32)))
  (import "mapview" "view_len" (func $view_len (param i32) (result i32)))
  (memory (export "memory") 1)
  ;; Counts over view $v: lines in the low half, words in the high half.
  (func $count (param $v i32) (result i64)
    (local $p i32) (local $end i32) (local $b i32) (local $space i32)
    (local $in_word i32) (local $lines i64) (local $words i64)
    (local.set $p (call $view_addr (local.get $v)))
    (local.set $end (i32.add (local.get $p) (call $view_len (local.get $v))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $b (i32.load8_u (local.get $p)))
        (if (i32.eq (local.get $b) (i32.const 10))
          (then (local.set $lines (i64.add (local.get $lines) (i64.const 1)))))
        ;; space: ' ' or \t \n \v \f \r (9..13)
        (local.set $space
          (i32.or (i32.eq (local.get $b) (i32.const 32))
                  (i32.le_u (i32.sub (local.get $b) (i32.const 9)) (i32.const 4))))
        (if (i32.and (i32.eqz (local.get $space)) (i32.eqz (local.get $in_word)))
          (then (local.set $words (i64.add (local.get $words) (i64.const 1)))))
        (local.set $in_word (i32.eqz (local.get $space)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $next)))
    (i64.or (local.get $lines) (i64.shl (local.get $words) (i64.const 32))))
  (func (export "lines") (param $v i32) (result i64)
    (i64.and (call $count (local.get $v)) (i64.const 0xFFFFFFFF)))
  (func (export "words") (param $v i32) (result i64)
    (i64.shr_u (call $count (local.get $v)) (i64.const 32)))
  ;; Total lines over all views.
  (func (export "run") (result i64) (local $i i32) (local $total i64)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (call $view_count)))
        (local.set $total (i64.add (local.get $total)
          (i64.and (call $count (local.get $i)) (i64.const 0xFFFFFFFF))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $total)))
