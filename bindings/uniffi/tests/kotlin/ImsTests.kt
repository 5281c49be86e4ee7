// Adobe IMS and generic OAuth 2 providers against the fake in IMS mode (`--mode ims`): the
// code flow of a web app with a secret and of a single-page app with PKCE, Bearer calls,
// refresh once the fake's clock has passed the token's expiry, and Server-to-Server
// clients renewed with the client credentials grant, once for any number of coroutines.
package io.wfoauth.tests

import io.wfoauth.ManualClock
import io.wfoauth.OAuthClient
import io.wfoauth.Provider
import io.wfoauth.TokenStore
import io.wfoauth.WorkfrontClient
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext
import java.io.File
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertNotEquals
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

/**
 * Signs in on the fake's IMS authorize page, calls the API with the Bearer token, lets a
 * day pass on both clocks and calls again: the SDK refreshes before the call, and the old
 * token is dead on the server too.
 */
private suspend fun imsCodeFlow(oauth: OAuthClient, mock: MockServer, clock: ManualClock, pkce: Boolean) {
    val pending = oauth.authorize()
    assertTrue(pending.url().startsWith("${mock.baseUrl}/ims/authorize/v2?"), pending.url())
    assertTrue("scope=openid+AdobeID" in pending.url() || "scope=openid%20AdobeID" in pending.url(), pending.url())
    assertEquals(pkce, pending.usesPkce())
    val tokens = oauth.exchange(pending, browse(pending.url()))
    assertEquals("Bearer", tokens.tokenType())
    assertEquals(IMS_TOKEN_TTL_SECS, assertNotNull(tokens.expiresAt()).toLong() - clock.now().toLong())
    val firstRefresh = assertNotNull(tokens.refreshToken())

    val storage = MapStorage()
    val client = oauth.login(TokenStore.custom(storage), "alice", tokens)
    assertEquals(250L, parseJson(client.get("proj/count")).obj().long("count"))
    assertEquals(200, mock.bearerStatus(tokens.accessToken()))

    advanceBoth(mock, clock, IMS_TOKEN_TTL_SECS)
    assertEquals(250L, parseJson(client.get("proj/count")).obj().long("count"))
    assertEquals(1L, mock.grantStatus("refresh_token", "200"))
    assertEquals(0L, mock.apiStatus("401"), "refreshed before the call, not after a refusal")
    assertEquals(401, mock.bearerStatus(tokens.accessToken()), "the fake's clock is past the expiry")
    assertEquals(1L, mock.apiStatus("401"), "only the probe with the old token was refused")
    val renewed = client.currentTokens()
    assertNotEquals(tokens.accessToken(), renewed.accessToken())
    assertEquals(IMS_TOKEN_TTL_SECS, assertNotNull(renewed.expiresAt()).toLong() - clock.now().toLong())
    val rotated = assertNotNull(renewed.refreshToken())
    assertNotEquals(firstRefresh, rotated)
    assertTrue(rotated in storage.documents.getValue("alice"), "the rotated refresh token was saved")
}

fun imsTests() {
    test("IMS web app with a secret: sign-in on the IMS page, Bearer calls, refresh after expiry") {
        MockServer("--mode", "ims", "--auto-approve", "--manual-clock").use { mock ->
            val clock = ManualClock.startingNow()
            imsCodeFlow(imsClient(mock, clock), mock, clock, pkce = false)
        }
    }

    test("IMS single-page app with PKCE: public client, refresh after expiry") {
        MockServer("--mode", "ims", "--auto-approve", "--manual-clock").use { mock ->
            val clock = ManualClock.startingNow()
            val oauth = imsClient(mock, clock, clientId = "demo-public", secret = null)
            imsCodeFlow(oauth, mock, clock, pkce = true)
        }
    }

    test("IMS token revoked before its expiry: refused once, refreshed once for 50 coroutines") {
        MockServer("--mode", "ims", "--auto-approve").use { mock ->
            val oauth = imsClient(mock, clientId = "demo-public", secret = null)
            val client = oauth.login(TokenStore.memory(), "alice", signIn(oauth))
            mock.expireAllSessions()
            fiftyCounts(client)
            assertEquals(1L, mock.grants("refresh_token"))
            assertTrue(mock.apiStatus("401") in 1L..50L, "refused, then replayed")
        }
    }

    test("generic provider at the fake's IMS endpoints: sign-in, Bearer calls, refresh, client credentials") {
        MockServer("--mode", "ims", "--auto-approve").use { mock ->
            val oauth = imsClient(
                mock,
                provider = Provider.Generic(
                    authorizeUrl = "${mock.baseUrl}/ims/authorize/v2",
                    tokenUrl = "${mock.baseUrl}/ims/token/v3",
                ),
            )
            val pending = oauth.authorize()
            assertTrue(pending.url().startsWith("${mock.baseUrl}/ims/authorize/v2?"), pending.url())
            val tokens = oauth.exchange(pending, browse(pending.url()))
            assertEquals("Bearer", tokens.tokenType())
            val client = oauth.clientFor(tokens)
            assertEquals(250L, parseJson(client.get("proj/count")).obj().long("count"))
            client.refresh()
            assertNotEquals(tokens.accessToken(), client.currentTokens().accessToken())
            assertEquals(250L, parseJson(client.get("proj/count")).obj().long("count"))
            assertEquals(1L, mock.grantStatus("refresh_token", "200"))

            val s2s = WorkfrontClient.clientCredentials(oauth)
            assertTrue(parseJson(s2s.get("user/search")).arr().isNotEmpty())
            assertEquals(1L, mock.grantStatus("client_credentials", "200"))
        }
    }

    test("Server-to-Server: one grant, then exactly one more for 50 coroutines after expiry and after revocation") {
        MockServer("--mode", "ims", "--manual-clock").use { mock ->
            val clock = ManualClock.startingNow()
            val client = WorkfrontClient.clientCredentials(imsClient(mock, clock))
            val first = client.currentTokens()
            assertEquals("Bearer", first.tokenType())
            assertNull(first.refreshToken(), "no refresh token in the client credentials grant")
            assertTrue(parseJson(client.get("user/search")).arr().isNotEmpty())
            assertEquals(1L, mock.grants("client_credentials"))

            // A day later: the token is past its expiry on both clocks.
            advanceBoth(mock, clock, IMS_TOKEN_TTL_SECS)
            fiftyCounts(client)
            assertEquals(2L, mock.grantStatus("client_credentials", "200"))
            assertEquals(0L, mock.apiStatus("401"), "renewed before the calls, not after a refusal")
            assertNotEquals(first.accessToken(), client.currentTokens().accessToken())

            // Revoked on the server before its expiry: refused, then one new token for all.
            mock.expireAllSessions()
            fiftyCounts(client)
            assertEquals(3L, mock.grantStatus("client_credentials", "200"))
            assertTrue(mock.apiStatus("401") in 1L..50L, "refused, then replayed")
            assertEquals(0L, mock.grants("refresh_token"))
            assertFalse(client.reauthRequired())
        }
    }

    test("Server-to-Server in a Kotlin store: a second client reuses the token, renewals are saved") {
        MockServer("--mode", "ims", "--manual-clock").use { mock ->
            val clock = ManualClock.startingNow()
            val oauth = imsClient(mock, clock)
            val storage = MapStorage()
            val store = TokenStore.custom(storage)
            val first = WorkfrontClient.openClientCredentials(oauth, store, "s2s")
            assertEquals("s2s", first.key())
            assertEquals(1, storage.saves.get())
            assertTrue(first.currentTokens().accessToken() in storage.documents.getValue("s2s"))

            // Another client (the next start of the service) reuses the stored token.
            val second = WorkfrontClient.openClientCredentials(oauth, TokenStore.custom(storage), "s2s")
            assertEquals(first.currentTokens().accessToken(), second.currentTokens().accessToken())
            assertEquals(1L, mock.grants("client_credentials"), "the stored token is reused")
            assertEquals(250L, parseJson(second.get("proj/count")).obj().long("count"))

            // Expired: the first renews and saves, a third client opens the renewed token.
            advanceBoth(mock, clock, IMS_TOKEN_TTL_SECS)
            assertEquals(250L, parseJson(first.get("proj/count")).obj().long("count"))
            assertEquals(2L, mock.grants("client_credentials"))
            assertEquals(2, storage.saves.get())
            val renewed = first.currentTokens().accessToken()
            assertTrue(renewed in storage.documents.getValue("s2s"), "the new token was saved")
            val third = WorkfrontClient.openClientCredentials(oauth, TokenStore.custom(storage), "s2s")
            assertEquals(renewed, third.currentTokens().accessToken())
            assertEquals(2L, mock.grants("client_credentials"))
        }
    }

    test("Server-to-Server in a file store, blocking: a second client opens it without a new grant") {
        MockServer("--mode", "ims").use { mock ->
            val dir = File(Env.workDir, "s2s-${System.nanoTime()}").path
            withContext(Dispatchers.IO) {
                val oauth = imsClient(mock)
                val first = WorkfrontClient.openClientCredentialsBlocking(oauth, TokenStore.file(dir), "s2s")
                val second = WorkfrontClient.openClientCredentialsBlocking(oauth, TokenStore.file(dir), "s2s")
                assertEquals(first.currentTokens().accessToken(), second.currentTokens().accessToken())
                assertEquals(250L, parseJson(second.getBlocking("proj/count")).obj().long("count"))
                assertEquals(1L, mock.grants("client_credentials"))

                // The memory-only client asks for its own token.
                val alone = WorkfrontClient.clientCredentialsBlocking(oauth)
                assertNotEquals(first.currentTokens().accessToken(), alone.currentTokens().accessToken())
                assertEquals(2L, mock.grants("client_credentials"))
                alone.refreshBlocking()
                assertEquals(3L, mock.grants("client_credentials"), "a refresh is a new client credentials grant")
            }
        }
    }
}
