/*
 * A tiny test harness for the mapview C API tests.
 *
 * - Tests are plain `void test_NAME(void)` functions, listed once in
 *   TEST_LIST below; main.c turns the list into a table and runs it.
 * - CHECK* macros record a failure with file:line and carry on, so one run
 *   reports every broken expectation of a test, not just the first.
 * - CHECK_OK / CHECK_ERR understand the library's status + error-object
 *   convention: they check the status, the error object's code and message,
 *   and always free the error object (so the suite stays leak-free under
 *   valgrind and LeakSanitizer even when a check fails).
 */
#ifndef MAPVIEW_TEST_HARNESS_H
#define MAPVIEW_TEST_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mapview.h"

/* Every test of the suite, in the order they run. */
#define TEST_LIST(X)                                   \
    /* test_basics.c */                                \
    X(version_matches_macros)                          \
    X(status_names)                                    \
    X(error_object_null_and_free)                      \
    X(err_cleared_on_success)                          \
    X(page_size_is_power_of_two)                       \
    X(nul_terminated_is_size_max)                      \
    X(options_init_defaults)                           \
    /* test_open.c */                                  \
    X(open_read_only_whole_file)                       \
    X(open_ranges_at_unaligned_offsets)                \
    X(open_zero_length_file)                           \
    X(open_path_with_explicit_length)                  \
    X(open_path_with_embedded_nul)                     \
    X(open_empty_path)                                 \
    X(open_missing_file)                               \
    X(open_directory)                                  \
    X(open_unknown_mode)                               \
    X(open_offset_past_end)                            \
    X(open_range_past_end)                             \
    X(open_offset_length_overflow)                     \
    X(info_for_each_kind)                              \
    /* test_write.c */                                 \
    X(read_write_map_writes_reach_file)                \
    X(flush_sync_async_and_ranged)                     \
    X(flush_range_errors)                              \
    X(private_map_writes_stay_private)                 \
    X(data_mut_on_read_only_map)                       \
    X(read_only_map_refuses_resize_and_flush)          \
    X(create_new_file)                                 \
    X(create_from_bytes)                               \
    X(create_over_existing_file)                       \
    X(create_failure_leaves_no_file)                   \
    X(create_with_range_options)                       \
    X(resize_grow_and_shrink)                          \
    X(resize_refused_for_private_and_range)            \
    X(resize_anonymous)                                \
    X(resize_failure_leaves_map_unchanged)             \
    X(ranged_map_flush_advise_lock)                    \
    X(anonymous_private_and_fork)                      \
    X(anonymous_shared_and_fork)                       \
    X(anonymous_with_range_options)                    \
    X(anonymous_zero_length)                           \
    /* test_options.c */                               \
    X(options_populate_flag)                           \
    X(options_lock_flag)                               \
    X(lock_and_unlock)                                 \
    X(populate_method)                                 \
    X(advice_via_options)                              \
    X(advise_whole_map_and_range)                      \
    X(advise_errors)                                   \
    X(dont_need_refused_on_private_and_anonymous)      \
    X(huge_pages_explicit_anonymous)                   \
    X(huge_pages_explicit_unaligned_length)            \
    X(huge_pages_explicit_or_transparent)              \
    X(huge_pages_transparent_anonymous)                \
    X(huge_pages_explicit_on_regular_file)             \
    X(invalid_option_flags)                            \
    X(unknown_huge_pages)                              \
    X(unknown_advice)                                  \
    X(options_struct_size)                             \
    /* test_misuse.c */                                \
    X(null_arguments_open_create_anonymous)            \
    X(null_arguments_map_calls)                        \
    X(null_arguments_records)                          \
    X(null_arguments_windows)                          \
    X(null_err_still_returns_code)                     \
    X(handle_zero)                                     \
    X(handle_of_another_type)                          \
    X(forged_handle)                                   \
    X(closed_map_handle)                               \
    X(close_twice)                                     \
    /* test_records.c */                               \
    X(records_count_and_get)                           \
    X(records_get_past_end)                            \
    X(records_record_size_zero)                        \
    X(records_record_size_not_dividing)                \
    X(records_unknown_key_kind)                        \
    X(records_bad_layout)                              \
    X(records_search_unsigned_le)                      \
    X(records_search_signed_le)                        \
    X(records_search_unsigned_be)                      \
    X(records_search_bytes)                            \
    X(records_search_narrow_keys)                      \
    X(records_search_wrong_key_length)                 \
    X(records_empty_map)                               \
    /* test_windows.c */                               \
    X(windows_without_overlap_concatenate)             \
    X(windows_overlap_finds_straddling_pattern)        \
    X(windows_empty_file)                              \
    X(windows_count_matches_iteration)                 \
    X(windows_bad_arguments)                           \
    X(windows_missing_file)                            \
    X(windows_closed_handle)                           \
    /* test_log.c */                                   \
    X(log_append_read_and_count)                       \
    X(log_batch_and_sync)                              \
    X(log_reader_follows_a_writer_in_another_process)  \
    X(log_damage_is_reported_with_its_offset)          \
    X(log_bad_files_and_arguments)                     \
    /* test_wasm.c */                                  \
    X(wasm_view_a_map_and_call)                        \
    X(wasm_output_args_and_dir)                        \
    X(wasm_read_write_view)                            \
    X(wasm_limits)                                     \
    X(wasm_bad_modules_and_misuse)                     \
    /* test_threads.c */                               \
    X(threads_open_read_close)                         \
    X(threads_close_while_in_use)                      \
    /* test_shm.c */                                   \
    X(shm_named_create_open_unlink)                    \
    X(shm_memfd_sealed_across_fork_and_exec)           \
    X(shm_bad_names_and_arguments)                     \
    X(shm_handle_misuse)                               \
    /* test_array.c */                                 \
    X(array_create_and_read_back)                      \
    X(array_result_types_match_numpy)                  \
    X(array_integer_sums_wrap_and_nan_propagates)      \
    X(array_raw_data_at_an_offset)                     \
    X(array_corrupt_and_hostile_headers)               \
    X(array_bad_specs_and_arguments)                   \
    X(array_handle_misuse)                             \
    X(array_in_shared_memory_across_fork)              \
    /* test_cache.c */                                 \
    X(cache_hit_is_the_same_map)                       \
    X(cache_evicts_least_recent_never_held)            \
    X(cache_arrays)                                    \
    X(cache_misuse)                                    \
    X(cache_threads)

#define TH_DECLARE_TEST(name) void test_##name(void);
TEST_LIST(TH_DECLARE_TEST)

/* ---- failure recording -------------------------------------------------- */

/* Records a failure of the running test (printf-style detail). */
void th_fail(const char *file, int line, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Number of failures recorded so far by the running test. */
int th_failures(void);

#define CHECK(cond)                                                        \
    do {                                                                   \
        if (!(cond))                                                       \
            th_fail(__FILE__, __LINE__, "CHECK(%s)", #cond);               \
    } while (0)

/* Signed comparison (ints, status codes, enums). */
#define CHECK_EQ(a, b)                                                     \
    do {                                                                   \
        long long th_a_ = (long long)(a), th_b_ = (long long)(b);          \
        if (th_a_ != th_b_)                                                \
            th_fail(__FILE__, __LINE__, "%s == %s: %lld != %lld", #a, #b,  \
                    th_a_, th_b_);                                         \
    } while (0)

/* Unsigned comparison (sizes, offsets, u64 keys). */
#define CHECK_EQU(a, b)                                                    \
    do {                                                                   \
        unsigned long long th_a_ = (unsigned long long)(a);                \
        unsigned long long th_b_ = (unsigned long long)(b);                \
        if (th_a_ != th_b_)                                                \
            th_fail(__FILE__, __LINE__, "%s == %s: %llu != %llu", #a, #b,  \
                    th_a_, th_b_);                                         \
    } while (0)

#define CHECK_STR(a, b)                                                    \
    do {                                                                   \
        const char *th_a_ = (a), *th_b_ = (b);                             \
        if (th_a_ == NULL || th_b_ == NULL || strcmp(th_a_, th_b_) != 0)   \
            th_fail(__FILE__, __LINE__, "%s == %s: \"%s\" != \"%s\"", #a,  \
                    #b, th_a_ ? th_a_ : "(null)", th_b_ ? th_b_ : "(null)"); \
    } while (0)

#define CHECK_MEM(a, b, n)                                                 \
    do {                                                                   \
        if (memcmp((a), (b), (n)) != 0)                                    \
            th_fail(__FILE__, __LINE__, "memcmp(%s, %s, %s) != 0", #a, #b, \
                    #n);                                                   \
    } while (0)

/*
 * CHECK_OK(call, err): `call` returned MAPVIEW_OK and left err NULL. Frees
 * err whatever happened (and reports its message on failure). Evaluates to
 * true when the call succeeded.
 */
#define CHECK_OK(call, err)                                                \
    th_check_ok(__FILE__, __LINE__, #call, (call), &(err))

/*
 * CHECK_ERR(call, err, code, needle): `call` returned `code`, stored an
 * error object in err whose mapview_error_code is `code` and whose message
 * contains `needle` (unless needle is NULL). Frees err and sets it to NULL.
 */
#define CHECK_ERR(call, err, code, needle)                                 \
    th_check_err(__FILE__, __LINE__, #call, (call), &(err), (code), (needle))

/* CHECK_STATUS(call, code): for calls without an error object. */
#define CHECK_STATUS(call, code)                                           \
    th_check_status(__FILE__, __LINE__, #call, (call), (code))

bool th_check_ok(const char *file, int line, const char *text,
                 mapview_status got, mapview_error **err);
bool th_check_err(const char *file, int line, const char *text,
                  mapview_status got, mapview_error **err,
                  mapview_status want, const char *needle);
bool th_check_status(const char *file, int line, const char *text,
                     mapview_status got, mapview_status want);

/* ---- scratch files ------------------------------------------------------- */

#define TH_PATH_MAX 4096

/* The directory this run writes its files into (fresh for every run). */
const char *th_scratch(void);

/* out = "<scratch>/<name>" (out has TH_PATH_MAX bytes). */
void th_path(char *out, const char *name);

/* Writes a whole file (creating or truncating it); false on failure. */
bool th_write_file(const char *path, const void *data, size_t len);

/* Reads a whole file with plain read(2); malloc'd, caller frees. NULL on
 * failure. *len receives its length. */
unsigned char *th_read_file(const char *path, size_t *len);

/* The size of a file, or -1. */
long long th_file_size(const char *path);

/* Deterministic, non-repeating-looking bytes for content checks. */
void th_fill(unsigned char *buf, size_t len, unsigned seed);

/* Convenience: opens `path` with `mode` and default options; on failure
 * records it and returns a zero handle. */
mapview_map th_open(const char *file, int line, const char *path,
                    mapview_mode mode);
#define OPEN(path, mode) th_open(__FILE__, __LINE__, (path), (mode))

/* Closes a map handle and checks the close succeeded. */
#define CLOSE(map) CHECK_STATUS(mapview_map_close(map), MAPVIEW_OK)

#endif /* MAPVIEW_TEST_HARNESS_H */
