/* See harness.h. */
#include "harness.h"

#include <pthread.h>

#include <stdarg.h>

static int passed;
static int failed;

bool check_at(bool ok, const char *what, const char *file, int line) {
    if (ok) {
        passed++;
    } else {
        failed++;
        fprintf(stderr, "FAILED %s:%d: %s\n", file, line, what);
    }
    return ok;
}

bool check_result_at(wf_result got, wf_result want, const char *what, const char *file, int line) {
    if (got == want) {
        passed++;
        return true;
    }
    failed++;
    char *message = last_message();
    fprintf(stderr, "FAILED %s:%d: %s returned %s, expected %s (last error: %s)\n", file, line,
            what, wf_result_name((int32_t)got), wf_result_name((int32_t)want), message);
    free(message);
    return false;
}

int finish(void) {
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 && passed > 0 ? 0 : 1;
}

static const char *url_from(const char *variable) {
    const char *url = getenv(variable);
    if (url == NULL || url[0] == '\0') {
        fprintf(stderr, "%s is not set: run the tests through tests/run.sh\n", variable);
        exit(2);
    }
    return url;
}

const char *mock_url(void) {
    return url_from("WF_MOCK_URL");
}

const char *ims_mock_url(void) {
    return url_from("WF_IMS_MOCK_URL");
}

wf_config *mock_config_at(const char *base, client_style style, const char *secret) {
    wf_config *config = NULL;
    const char *id = style == STYLE_PKCE ? MOCK_PUBLIC_CLIENT_ID : MOCK_CLIENT_ID;
    if (!CHECK_RESULT(wf_config_new(base, id, &config), WF_OK)) {
        return NULL;
    }
    CHECK_RESULT(wf_config_set_redirect_uri(config, MOCK_REDIRECT_URI), WF_OK);
    if (style != STYLE_PKCE) {
        CHECK_RESULT(wf_config_set_client_secret(config, secret), WF_OK);
        CHECK_RESULT(wf_config_set_client_auth(config, style == STYLE_POST ? WF_CLIENT_AUTH_POST
                                                                           : WF_CLIENT_AUTH_BASIC),
                     WF_OK);
    }
    /* Short bounds: a failure should be reported in seconds, not minutes. */
    CHECK_RESULT(wf_config_set_timeouts(config, 2000, 5000), WF_OK);
    CHECK_RESULT(wf_config_set_retry(config, 3, 3000), WF_OK);
    return config;
}

wf_config *mock_config(client_style style) {
    return mock_config_at(mock_url(), style, MOCK_CLIENT_SECRET);
}

wf_oauth *oauth_of(wf_config *config) {
    wf_oauth *oauth = NULL;
    if (config != NULL) {
        CHECK_RESULT(wf_oauth_new(config, &oauth), WF_OK);
    }
    wf_config_free(config);
    return oauth;
}

wf_oauth *mock_oauth(client_style style) {
    return oauth_of(mock_config(style));
}

/* Runs a shell command and returns its whole stdout (malloc'd), or NULL if it failed. */
static char *run_command(const char *command) {
    FILE *pipe = popen(command, "r");
    if (pipe == NULL) {
        return NULL;
    }
    size_t size = 0, capacity = 4096;
    char *text = malloc(capacity);
    size_t n;
    while (text != NULL && (n = fread(text + size, 1, capacity - size - 1, pipe)) > 0) {
        size += n;
        if (capacity - size < 2) {
            char *bigger = realloc(text, capacity * 2);
            if (bigger == NULL) {
                free(text);
                text = NULL;
                break;
            }
            text = bigger;
            capacity *= 2;
        }
    }
    int status = pclose(pipe);
    if (text == NULL || status != 0) {
        free(text);
        return NULL;
    }
    text[size] = '\0';
    return text;
}

/* Formats a command; the arguments are URLs and JSON without single quotes, so wrapping
 * them in single quotes is enough for the shell. */
static char *format_command(const char *format, ...) {
    va_list args;
    va_start(args, format);
    int length = vsnprintf(NULL, 0, format, args);
    va_end(args);
    char *command = malloc((size_t)length + 1);
    if (command != NULL) {
        va_start(args, format);
        vsnprintf(command, (size_t)length + 1, format, args);
        va_end(args);
    }
    return command;
}

char *follow_authorize(const char *authorize_url) {
    if (strchr(authorize_url, '\'') != NULL) {
        return NULL;
    }
    char *command = format_command(
        "curl -sS --max-time 10 -o /dev/null -w '%%{http_code} %%{redirect_url}' '%s'",
        authorize_url);
    char *answer = command != NULL ? run_command(command) : NULL;
    free(command);
    char *callback = NULL;
    if (answer != NULL && strncmp(answer, "302 ", 4) == 0) {
        callback = strdup(answer + 4);
    }
    free(answer);
    return callback;
}

wf_token_set *sign_in(const wf_oauth *oauth) {
    wf_pending_authorization *pending = NULL;
    char *url = NULL;
    char *callback = NULL;
    wf_token_set *tokens = NULL;
    if (CHECK_RESULT(wf_oauth_authorize(oauth, &pending), WF_OK) &&
        CHECK_RESULT(wf_pending_authorization_url(pending, &url), WF_OK) &&
        CHECK((callback = follow_authorize(url)) != NULL)) {
        CHECK_RESULT(wf_oauth_exchange(oauth, pending, callback, &tokens), WF_OK);
    }
    free(callback);
    wf_string_free(url);
    wf_pending_authorization_free(pending);
    return tokens;
}

char *authorize_url_of(const wf_oauth *oauth) {
    wf_pending_authorization *pending = NULL;
    char *url = NULL;
    CHECK_RESULT(wf_oauth_authorize(oauth, &pending), WF_OK);
    CHECK_RESULT(wf_pending_authorization_url(pending, &url), WF_OK);
    wf_pending_authorization_free(pending);
    return url != NULL ? take_string(url) : NULL;
}

char *state_of(const char *authorize_url) {
    const char *start = strstr(authorize_url, "&state=");
    if (start == NULL) {
        return NULL;
    }
    start += strlen("&state=");
    size_t length = strcspn(start, "&#");
    char *state = malloc(length + 1);
    if (state != NULL) {
        memcpy(state, start, length);
        state[length] = '\0';
    }
    return state;
}

bool mock_admin_at(const char *base, const char *path, const char *json) {
    if (strchr(json, '\'') != NULL) {
        return false;
    }
    char *command = format_command(
        "curl -sS --max-time 10 -o /dev/null -w '%%{http_code}' -X POST "
        "-H 'Content-Type: application/json' --data-binary '%s' '%s/__mock/%s'",
        json, base, path);
    char *answer = command != NULL ? run_command(command) : NULL;
    bool ok = answer != NULL && strcmp(answer, "200") == 0;
    free(command);
    free(answer);
    return ok;
}

bool mock_admin(const char *path, const char *json) {
    return mock_admin_at(mock_url(), path, json);
}

/* The fake's /__mock/stats document (malloc'd), or NULL. */
static char *fetch_stats(const char *base) {
    char *command = format_command("curl -sS --max-time 10 '%s/__mock/stats'", base);
    char *stats = command != NULL ? run_command(command) : NULL;
    free(command);
    return stats;
}

/* The number under "key" inside the flat JSON object that starts at `object` (its '{'):
 * 0 when the key is absent. */
static long count_in(const char *object, const char *key) {
    const char *end = strchr(object, '}');
    char quoted[64];
    snprintf(quoted, sizeof quoted, "\"%s\":", key);
    const char *at = strstr(object, quoted);
    return (at != NULL && end != NULL && at < end) ? strtol(at + strlen(quoted), NULL, 10) : 0;
}

long mock_grants_at(const char *base, const char *grant_type) {
    char *stats = fetch_stats(base);
    long count = -1;
    const char *grants = stats != NULL ? strstr(stats, "\"grants\":{") : NULL;
    if (grants != NULL) {
        count = count_in(grants + strlen("\"grants\":"), grant_type);
    }
    free(stats);
    return count;
}

long mock_grants(const char *grant_type) {
    return mock_grants_at(mock_url(), grant_type);
}

long mock_statuses_at(const char *base, const char *endpoint, const char *status) {
    char *stats = fetch_stats(base);
    long count = -1;
    /* "statuses" maps each endpoint to a flat object of counts per status. */
    const char *statuses = stats != NULL ? strstr(stats, "\"statuses\":{") : NULL;
    if (statuses != NULL) {
        char key[64];
        snprintf(key, sizeof key, "\"%s\":{", endpoint);
        const char *inner = strstr(statuses + strlen("\"statuses\":{"), key);
        /* An endpoint without answers has no object; the next '}' closing "statuses"
         * comes first then. */
        const char *close = strstr(statuses, "}}");
        count = (inner != NULL && (close == NULL || inner < close))
                    ? count_in(inner + strlen(key) - 1, status)
                    : 0;
    }
    free(stats);
    return count;
}

char *take_string(char *s) {
    char *copy = strdup(s != NULL ? s : "");
    wf_string_free(s);
    return copy;
}

char *last_message(void) {
    char *message = NULL;
    if (wf_last_error_message(&message) != WF_OK) {
        return strdup("(wf_last_error_message failed)");
    }
    return take_string(message);
}

bool message_contains(const char *needle) {
    char *message = last_message();
    bool found = strstr(message, needle) != NULL;
    if (!found) {
        fprintf(stderr, "  message %s does not contain %s\n", message, needle);
    }
    free(message);
    return found;
}

bool message_lacks(const char *secret) {
    char *message = last_message();
    bool clean = secret == NULL || secret[0] == '\0' || strstr(message, secret) == NULL;
    if (!clean) {
        fprintf(stderr, "  message leaks a secret: %s\n", message);
    }
    free(message);
    return clean;
}

bool starts_with(const char *text, const char *prefix) {
    return text != NULL && strncmp(text, prefix, strlen(prefix)) == 0;
}

typedef struct {
    const wf_client *client;
    pthread_barrier_t *start;
    wf_result result;
    bool has_data;
} storm_worker;

static void *run_worker(void *arg) {
    storm_worker *w = arg;
    uint16_t status = 0;
    char *body = NULL;
    /* All threads call at the same moment, with the same dead token or session. */
    pthread_barrier_wait(w->start);
    w->result = wf_client_request(w->client, "GET", "proj/search", "$$LIMIT=2&ID_Sort=asc", NULL,
                                  &status, &body);
    w->has_data = body != NULL && body[0] == '[' && status == 200;
    wf_string_free(body);
    return NULL;
}

/* The workers' stacks are the test's own memory. glibc keeps the stacks it allocates for
 * reuse after a join, together with their TLS, and may hand one to a thread the library's
 * runtime starts later and keeps until exit; valgrind would then report that TLS as
 * "possibly lost" with this file's pthread_create in its history. A stack given by the
 * caller is never reused: its TLS is released at the join. */
#define WORKER_STACK (1024 * 1024)

void storm(const wf_client *client, int thread_count) {
    if (!CHECK(thread_count > 0 && thread_count <= MAX_STORM_THREADS)) {
        return;
    }
    pthread_barrier_t start;
    if (!CHECK(pthread_barrier_init(&start, NULL, (unsigned)thread_count) == 0)) {
        return;
    }
    pthread_t threads[MAX_STORM_THREADS];
    storm_worker workers[MAX_STORM_THREADS];
    void *stacks[MAX_STORM_THREADS];
    bool started[MAX_STORM_THREADS];
    for (int i = 0; i < thread_count; i++) {
        workers[i] = (storm_worker){client, &start, WF_PANIC, false};
        pthread_attr_t attr;
        bool attr_ok = CHECK(pthread_attr_init(&attr) == 0);
        stacks[i] = NULL;
        started[i] = attr_ok && CHECK(posix_memalign(&stacks[i], 4096, WORKER_STACK) == 0) &&
                     CHECK(pthread_attr_setstack(&attr, stacks[i], WORKER_STACK) == 0) &&
                     CHECK(pthread_create(&threads[i], &attr, run_worker, &workers[i]) == 0);
        if (attr_ok) {
            pthread_attr_destroy(&attr);
        }
    }
    for (int i = 0; i < thread_count; i++) {
        if (started[i]) {
            pthread_join(threads[i], NULL);
        }
        CHECK_RESULT(workers[i].result, WF_OK);
        CHECK(workers[i].has_data);
        free(stacks[i]);
    }
    pthread_barrier_destroy(&start);
}
