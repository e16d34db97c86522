// The few libcurl calls pexify's HTTP transport makes, as plain (non-variadic) C functions Swift can
// call. libcurl's headers are not needed to build: the declarations follow its stable ABI
// (https://curl.se/libcurl/c/). The library is opened with dlopen(3) on first use, so a process that
// makes no request never loads it (nor the thirty libraries it needs).
#ifndef PEXIFY_CCURL_H
#define PEXIFY_CCURL_H

#include <stddef.h>
#include <stdint.h>

typedef size_t (*pexify_curl_data_callback)(char *data, size_t size, size_t count, void *context);
typedef int (*pexify_curl_progress_callback)(void *context, int64_t download_total, int64_t download_now,
                                             int64_t upload_total, int64_t upload_now);

// Option numbers from curl.h (CURLOPTTYPE_LONG + n, OBJECTPOINT 10000 + n, OFF_T 30000 + n).
enum {
    PEXIFY_CURLOPT_URL = 10002,
    PEXIFY_CURLOPT_LOW_SPEED_LIMIT = 19,
    PEXIFY_CURLOPT_LOW_SPEED_TIME = 20,
    PEXIFY_CURLOPT_POSTFIELDS = 10015,
    PEXIFY_CURLOPT_HTTPHEADER = 10023,
    PEXIFY_CURLOPT_CUSTOMREQUEST = 10036,
    PEXIFY_CURLOPT_NOBODY = 44,
    PEXIFY_CURLOPT_FOLLOWLOCATION = 52,
    PEXIFY_CURLOPT_MAXREDIRS = 68,
    PEXIFY_CURLOPT_CONNECTTIMEOUT_MS = 156,
    PEXIFY_CURLOPT_NOSIGNAL = 99,
    PEXIFY_CURLOPT_ACCEPT_ENCODING = 10102,
    PEXIFY_CURLOPT_POSTFIELDSIZE_LARGE = 30120,
    // TLS: the CA bundle file and CA directory that verify the server, the client's certificate and key.
    PEXIFY_CURLOPT_CAINFO = 10065,
    PEXIFY_CURLOPT_CAPATH = 10097,
    PEXIFY_CURLOPT_SSLCERT = 10025,
    PEXIFY_CURLOPT_SSLKEY = 10087,
};

// CURLcode values pexify tells apart.
enum {
    PEXIFY_CURLE_OK = 0,
    PEXIFY_CURLE_UNSUPPORTED_PROTOCOL = 1,
    PEXIFY_CURLE_URL_MALFORMAT = 3,
    PEXIFY_CURLE_OPERATION_TIMEDOUT = 28,
    PEXIFY_CURLE_ABORTED_BY_CALLBACK = 42,
    PEXIFY_CURLE_WRITE_ERROR = 23,
    PEXIFY_CURLE_SSL_CONNECT_ERROR = 35,
    PEXIFY_CURLE_SSL_CERTPROBLEM = 58,
    PEXIFY_CURLE_PEER_FAILED_VERIFICATION = 60,
    PEXIFY_CURLE_SSL_CACERT_BADFILE = 77,
    PEXIFY_CURLE_SSL_CLIENTCERT = 98,
};

/// Opens libcurl (once) and calls curl_global_init(CURL_GLOBAL_DEFAULT); -1 when libcurl cannot be
/// opened (see pexify_curl_load_error). Safe to call more than once.
int pexify_curl_global_init(void);
/// Why libcurl could not be opened (dlerror's words), or NULL when it is open.
const char *pexify_curl_load_error(void);
/// A new easy handle, or NULL (also when libcurl cannot be opened).
void *pexify_curl_easy_init(void);
void pexify_curl_easy_cleanup(void *handle);
/// Clears the options, keeps the live connections for reuse.
void pexify_curl_easy_reset(void *handle);
int pexify_curl_setopt_long(void *handle, int option, long value);
int pexify_curl_setopt_pointer(void *handle, int option, const void *value);
int pexify_curl_setopt_off(void *handle, int option, int64_t value);
/// CURLOPT_WRITEFUNCTION and CURLOPT_WRITEDATA.
int pexify_curl_set_body_callback(void *handle, pexify_curl_data_callback callback, void *context);
/// CURLOPT_HEADERFUNCTION and CURLOPT_HEADERDATA.
int pexify_curl_set_header_callback(void *handle, pexify_curl_data_callback callback, void *context);
/// CURLOPT_XFERINFOFUNCTION, CURLOPT_XFERINFODATA and CURLOPT_NOPROGRESS 0: called about once a
/// second even while nothing arrives; a non-zero return aborts the transfer.
int pexify_curl_set_progress_callback(void *handle, pexify_curl_progress_callback callback, void *context);
/// CURLOPT_ERRORBUFFER: `buffer` must hold 256 bytes and outlive the transfer.
int pexify_curl_set_error_buffer(void *handle, char *buffer);
int pexify_curl_perform(void *handle);
long pexify_curl_response_code(void *handle);
const char *pexify_curl_effective_url(void *handle);
const char *pexify_curl_strerror(int code);
void *pexify_curl_slist_append(void *list, const char *line);
void pexify_curl_slist_free_all(void *list);

#endif
