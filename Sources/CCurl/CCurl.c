#include "CCurl.h"

// libcurl's own declarations (curl/curl.h, curl/easy.h), repeated so no development package is needed.
typedef void CURL;
struct curl_slist;
extern int curl_global_init(long flags);
extern CURL *curl_easy_init(void);
extern void curl_easy_cleanup(CURL *handle);
extern void curl_easy_reset(CURL *handle);
extern int curl_easy_setopt(CURL *handle, int option, ...);
extern int curl_easy_perform(CURL *handle);
extern int curl_easy_getinfo(CURL *handle, int info, ...);
extern const char *curl_easy_strerror(int code);
extern struct curl_slist *curl_slist_append(struct curl_slist *list, const char *line);
extern void curl_slist_free_all(struct curl_slist *list);

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

int pexify_curl_global_init(void) { return curl_global_init(CURL_GLOBAL_DEFAULT); }
void *pexify_curl_easy_init(void) { return curl_easy_init(); }
void pexify_curl_easy_cleanup(void *handle) { curl_easy_cleanup(handle); }
void pexify_curl_easy_reset(void *handle) { curl_easy_reset(handle); }

int pexify_curl_setopt_long(void *handle, int option, long value) { return curl_easy_setopt(handle, option, value); }

int pexify_curl_setopt_pointer(void *handle, int option, const void *value) {
    return curl_easy_setopt(handle, option, value);
}

int pexify_curl_setopt_off(void *handle, int option, int64_t value) {
    return curl_easy_setopt(handle, option, (long long)value);
}

int pexify_curl_set_body_callback(void *handle, pexify_curl_data_callback callback, void *context) {
    int code = curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, callback);
    return code ? code : curl_easy_setopt(handle, CURLOPT_WRITEDATA, context);
}

int pexify_curl_set_header_callback(void *handle, pexify_curl_data_callback callback, void *context) {
    int code = curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, callback);
    return code ? code : curl_easy_setopt(handle, CURLOPT_HEADERDATA, context);
}

int pexify_curl_set_progress_callback(void *handle, pexify_curl_progress_callback callback, void *context) {
    int code = curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, callback);
    if (!code) code = curl_easy_setopt(handle, CURLOPT_XFERINFODATA, context);
    return code ? code : curl_easy_setopt(handle, CURLOPT_NOPROGRESS, 0L);
}

int pexify_curl_set_error_buffer(void *handle, char *buffer) {
    return curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, buffer);
}

int pexify_curl_perform(void *handle) { return curl_easy_perform(handle); }

long pexify_curl_response_code(void *handle) {
    long code = 0;
    curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &code);
    return code;
}

const char *pexify_curl_effective_url(void *handle) {
    char *url = 0;
    curl_easy_getinfo(handle, CURLINFO_EFFECTIVE_URL, &url);
    return url;
}

const char *pexify_curl_strerror(int code) { return curl_easy_strerror(code); }

void *pexify_curl_slist_append(void *list, const char *line) { return curl_slist_append(list, line); }
void pexify_curl_slist_free_all(void *list) { curl_slist_free_all(list); }
