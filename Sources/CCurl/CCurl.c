#include "CCurl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

// libcurl's own declarations (curl/curl.h, curl/easy.h), repeated so no development package is needed.
// The library is opened on first use rather than linked: it brings some thirty shared libraries
// (TLS, Kerberos, LDAP, ...) whose loading and symbol binding would cost every pexify process, also the
// offline builds that never make a request, several milliseconds at start.
typedef void CURL;
struct curl_slist;

static struct {
    int (*global_init)(long flags);
    CURL *(*easy_init)(void);
    void (*easy_cleanup)(CURL *handle);
    void (*easy_reset)(CURL *handle);
    int (*easy_setopt)(CURL *handle, int option, ...);
    int (*easy_perform)(CURL *handle);
    int (*easy_getinfo)(CURL *handle, int info, ...);
    const char *(*easy_strerror)(int code);
    struct curl_slist *(*slist_append)(struct curl_slist *list, const char *line);
    void (*slist_free_all)(struct curl_slist *list);
} curl;

static pthread_once_t loaded = PTHREAD_ONCE_INIT;
static char load_error[512];

static void load(void) {
#if defined(__APPLE__)
    const char *name = "libcurl.4.dylib";
#else
    const char *name = "libcurl.so.4";
#endif
    void *library = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        snprintf(load_error, sizeof load_error, "%s", dlerror());
        return;
    }
#define BIND(field, symbol)                                                                     \
    if (!(*(void **)&curl.field = dlsym(library, symbol))) {                                    \
        snprintf(load_error, sizeof load_error, "%s has no symbol %s", name, symbol);           \
        curl.easy_init = 0;                                                                     \
        return;                                                                                 \
    }
    BIND(global_init, "curl_global_init")
    BIND(easy_cleanup, "curl_easy_cleanup")
    BIND(easy_reset, "curl_easy_reset")
    BIND(easy_setopt, "curl_easy_setopt")
    BIND(easy_perform, "curl_easy_perform")
    BIND(easy_getinfo, "curl_easy_getinfo")
    BIND(easy_strerror, "curl_easy_strerror")
    BIND(slist_append, "curl_slist_append")
    BIND(slist_free_all, "curl_slist_free_all")
    BIND(easy_init, "curl_easy_init")  // last: its presence says the whole table is bound
#undef BIND
}

enum {
    CURL_GLOBAL_DEFAULT = 3,
    CURLOPT_WRITEDATA = 10001,
    CURLOPT_ERRORBUFFER = 10010,
    CURLOPT_WRITEFUNCTION = 20011,
    CURLOPT_HEADERDATA = 10029,
    CURLOPT_NOPROGRESS = 43,
    CURLOPT_XFERINFODATA = 10057,
    CURLOPT_HEADERFUNCTION = 20079,
    CURLOPT_XFERINFOFUNCTION = 20219,
    CURLINFO_EFFECTIVE_URL = 0x100000 + 1,
    CURLINFO_RESPONSE_CODE = 0x200000 + 2,
};

int pexify_curl_global_init(void) {
    pthread_once(&loaded, load);
    return curl.easy_init ? curl.global_init(CURL_GLOBAL_DEFAULT) : -1;
}

const char *pexify_curl_load_error(void) {
    pthread_once(&loaded, load);
    return curl.easy_init ? 0 : load_error;
}

void *pexify_curl_easy_init(void) {
    pthread_once(&loaded, load);
    return curl.easy_init ? curl.easy_init() : 0;
}
void pexify_curl_easy_cleanup(void *handle) { curl.easy_cleanup(handle); }
void pexify_curl_easy_reset(void *handle) { curl.easy_reset(handle); }

int pexify_curl_setopt_long(void *handle, int option, long value) { return curl.easy_setopt(handle, option, value); }

int pexify_curl_setopt_pointer(void *handle, int option, const void *value) {
    return curl.easy_setopt(handle, option, value);
}

int pexify_curl_setopt_off(void *handle, int option, int64_t value) {
    return curl.easy_setopt(handle, option, (long long)value);
}

int pexify_curl_set_body_callback(void *handle, pexify_curl_data_callback callback, void *context) {
    int code = curl.easy_setopt(handle, CURLOPT_WRITEFUNCTION, callback);
    return code ? code : curl.easy_setopt(handle, CURLOPT_WRITEDATA, context);
}

int pexify_curl_set_header_callback(void *handle, pexify_curl_data_callback callback, void *context) {
    int code = curl.easy_setopt(handle, CURLOPT_HEADERFUNCTION, callback);
    return code ? code : curl.easy_setopt(handle, CURLOPT_HEADERDATA, context);
}

int pexify_curl_set_progress_callback(void *handle, pexify_curl_progress_callback callback, void *context) {
    int code = curl.easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, callback);
    if (!code) code = curl.easy_setopt(handle, CURLOPT_XFERINFODATA, context);
    return code ? code : curl.easy_setopt(handle, CURLOPT_NOPROGRESS, 0L);
}

int pexify_curl_set_error_buffer(void *handle, char *buffer) {
    return curl.easy_setopt(handle, CURLOPT_ERRORBUFFER, buffer);
}

int pexify_curl_perform(void *handle) { return curl.easy_perform(handle); }

long pexify_curl_response_code(void *handle) {
    long code = 0;
    curl.easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &code);
    return code;
}

const char *pexify_curl_effective_url(void *handle) {
    char *url = 0;
    curl.easy_getinfo(handle, CURLINFO_EFFECTIVE_URL, &url);
    return url;
}

const char *pexify_curl_strerror(int code) { return curl.easy_strerror(code); }

void *pexify_curl_slist_append(void *list, const char *line) { return curl.slist_append(list, line); }
void pexify_curl_slist_free_all(void *list) { curl.slist_free_all(list); }
