/*
 * Shared by the C tests: checks and counters, the fake Workfront's address and clients,
 * and a few HTTP requests made with curl (playing the browser, and driving the fake's
 * /__mock/ administration endpoints).
 */
#ifndef WF_TEST_HARNESS_H
#define WF_TEST_HARNESS_H

#define _POSIX_C_SOURCE 200809L

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wf_oauth.h>

/* What wf-oauth-mock registers by default (see its README). */
#define MOCK_CLIENT_ID "demo-client"
#define MOCK_CLIENT_SECRET "demo-secret"
#define MOCK_PUBLIC_CLIENT_ID "demo-public"
/* Registered with the fake by tests/run.sh; nothing listens there: the tests read the
 * redirect themselves. */
#define MOCK_REDIRECT_URI "http://127.0.0.1:9/callback"

/* How a client authenticates at the token endpoint. */
typedef enum { STYLE_BASIC, STYLE_POST, STYLE_PKCE } client_style;

/* Records one check; returns `ok` so a test can stop when a precondition fails. */
bool check_at(bool ok, const char *what, const char *file, int line);
/* Records that `got` is `want`, printing both names and the last error otherwise. */
bool check_result_at(wf_result got, wf_result want, const char *what, const char *file, int line);

#define CHECK(cond) check_at((cond), #cond, __FILE__, __LINE__)
#define CHECK_RESULT(expr, want) check_result_at((expr), (want), #expr, __FILE__, __LINE__)

/* Prints "N passed, M failed" and returns the process exit status. */
int finish(void);

/* The fake's base URL (environment variable WF_MOCK_URL). */
const char *mock_url(void);

/* The second fake, in Adobe IMS mode on a manual clock (environment variable
 * WF_IMS_MOCK_URL): its IMS endpoints and the Workfront API share this address. */
const char *ims_mock_url(void);

/* A configuration for the fake at `base` in `style` (`secret` unless STYLE_PKCE), with
 * the tests' redirect URI and short bounds; no provider set (the caller frees it). */
wf_config *mock_config_at(const char *base, client_style style, const char *secret);
/* A configuration / OAuth client for the fake in `style` (the caller frees them). */
wf_config *mock_config(client_style style);
wf_oauth *mock_oauth(client_style style);
/* The OAuth client made from `config` (NULL when `config` is NULL); releases `config`. */
wf_oauth *oauth_of(wf_config *config);

/* Plays the browser: GETs the authorize URL (the fake approves at once) and returns the
 * redirect target, the callback URL (malloc'd), or NULL. */
char *follow_authorize(const char *authorize_url);

/* The whole sign-in: authorize, browser, exchange. NULL on failure. */
wf_token_set *sign_in(const wf_oauth *oauth);

/* The authorize URL of a new authorization of `oauth` (malloc'd, NULL when it failed);
 * the authorization itself is dropped. */
char *authorize_url_of(const wf_oauth *oauth);

/* The `state` parameter of an authorize URL (malloc'd), for crafting callbacks. */
char *state_of(const char *authorize_url);

/* POSTs `json` to /__mock/<path> of the fake at `base`; true on HTTP 200. */
bool mock_admin_at(const char *base, const char *path, const char *json);
/* The same for the fake at WF_MOCK_URL. */
bool mock_admin(const char *path, const char *json);

/* How many grants of `grant_type` the fake at `base` has answered since the last reset
 * (-1 when its stats cannot be read). */
long mock_grants_at(const char *base, const char *grant_type);
/* The same for the fake at WF_MOCK_URL. */
long mock_grants(const char *grant_type);

/* How many requests to `endpoint` ("api", "token"…) the fake at `base` has answered with
 * `status` ("401"…) since the last reset (-1 when its stats cannot be read). */
long mock_statuses_at(const char *base, const char *endpoint, const char *status);

/* The last error message of this thread (malloc'd copy, "" when none). */
char *last_message(void);
/* Whether the last error message contains `needle` (printed when it does not). */
bool message_contains(const char *needle);
/* Whether the last error message is free of `secret` (printed when it is not). */
bool message_lacks(const char *secret);

/* Whether `text` is non-NULL and starts with `prefix`. */
bool starts_with(const char *text, const char *prefix);

/* Copies a library string into malloc'd memory and releases the original. */
char *take_string(char *s);

/* Up to MAX_STORM_THREADS threads call GET proj/search on `client` at the same moment;
 * every call must succeed with data. The threads run on stacks the harness allocates:
 * glibc reuses the stacks it allocates (and their TLS) for threads the library's runtime
 * starts later, which valgrind would report as "possibly lost". */
#define MAX_STORM_THREADS 16
void storm(const wf_client *client, int thread_count);

#endif
