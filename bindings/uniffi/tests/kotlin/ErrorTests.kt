// Every error category, each raised by a real scenario against the fake server and caught
// as its own Kotlin type.
package io.wfoauth.tests

import io.wfoauth.ClientOptions
import io.wfoauth.ClientSecret
import io.wfoauth.CredentialStorage
import io.wfoauth.ManualClock
import io.wfoauth.OAuthClient
import io.wfoauth.Provider
import io.wfoauth.TokenStore
import io.wfoauth.WfOauthException
import io.wfoauth.WorkfrontClient
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertTrue

fun errorTests() {
    test("InvalidArgument: plain http to a non-loopback instance, bad JSON body, bad page size") {
        val e = assertFailsWith<WfOauthException.InvalidArgument> {
            OAuthClient(ClientOptions(instance = "http://acme.my.workfront.com", clientId = "x"))
        }
        assertTrue("instance" in e.reason, e.reason)
        assertFailsWith<WfOauthException.InvalidArgument> {
            OAuthClient(ClientOptions(instance = "acme.my.workfront.com", clientId = "x", apiVersion = "latest"))
        }
        MockServer("--auto-approve").use { mock ->
            val oauth = publicClient(mock)
            val client = oauth.clientFor(signIn(oauth))
            assertFailsWith<WfOauthException.InvalidArgument> { client.post("proj", "{not json") }
            val cursor = client.search("proj", null, 0u)
            assertFailsWith<WfOauthException.InvalidArgument> { cursor.nextPage() }
            assertEquals(null, cursor.nextPage(), "a search ends after its first error")
        }
    }

    test("InvalidArgument: Adobe IMS without a scope, a generic provider with a bad URL") {
        val ims = ClientOptions(
            instance = "acme.my.workfront.com",
            clientId = "x",
            provider = Provider.AdobeIms(imsBase = null),
        )
        val noScope = assertFailsWith<WfOauthException.InvalidArgument> { OAuthClient(ims) }
        assertTrue("scope" in noScope.reason, noScope.reason)
        assertFalse(noScope.retryable)
        OAuthClient(ims.copy(scope = IMS_SCOPE))
        assertFailsWith<WfOauthException.InvalidArgument> {
            OAuthClient(ims.copy(scope = IMS_SCOPE, provider = Provider.AdobeIms(imsBase = "not a url")))
        }
        for ((authorize, token) in listOf(
            "not a url" to "https://idp.example.com/token",
            "https://idp.example.com/authorize" to "ftp://idp.example.com/token",
            "https://idp.example.com/authorize" to "http://idp.example.com/token",
        )) {
            val e = assertFailsWith<WfOauthException.InvalidArgument>("$authorize $token") {
                OAuthClient(ims.copy(scope = IMS_SCOPE, provider = Provider.Generic(authorize, token)))
            }
            assertEquals(null, e.status)
        }
    }

    test("InvalidArgument: client credentials on the legacy provider or for a public client, nothing sent") {
        MockServer("--mode", "both").use { mock ->
            val legacy = assertFailsWith<WfOauthException.InvalidArgument> {
                WorkfrontClient.clientCredentials(confidentialClient(mock))
            }
            assertTrue("client credentials" in legacy.reason, legacy.reason)
            val explicit = OAuthClient(
                ClientOptions(
                    instance = mock.baseUrl,
                    clientId = "demo-client",
                    clientSecret = ClientSecret("demo-secret"),
                    scope = IMS_SCOPE,
                    provider = Provider.WorkfrontLegacy,
                ),
            )
            assertFailsWith<WfOauthException.InvalidArgument> {
                WorkfrontClient.openClientCredentials(explicit, TokenStore.memory(), "s2s")
            }
            assertFailsWith<WfOauthException.InvalidArgument> { explicit.clientCredentials() }
            val public = imsClient(mock, clientId = "demo-public", secret = null)
            assertFailsWith<WfOauthException.InvalidArgument> { WorkfrontClient.clientCredentials(public) }
            assertFailsWith<WfOauthException.InvalidArgument> { WorkfrontClient.clientCredentialsBlocking(public) }
            assertEquals(0L, mock.grants("client_credentials"), "refused before anything was sent")
        }
    }

    test("TokenEndpoint: Server-to-Server with a wrong client secret, not printed") {
        MockServer("--mode", "ims").use { mock ->
            val wrong = imsClient(mock, secret = "not-the-s2s-secret-4711")
            val e = assertFailsWith<WfOauthException.TokenEndpoint> { WorkfrontClient.clientCredentials(wrong) }
            assertEquals(401, e.status?.toInt())
            assertEquals("invalid_client", e.code)
            assertFalse(e.retryable)
            for (printed in listOf(e.toString(), e.message ?: "", e.reason)) {
                assertFalse("not-the-s2s-secret-4711" in printed, printed)
            }
            val stored = assertFailsWith<WfOauthException.TokenEndpoint> {
                WorkfrontClient.openClientCredentials(wrong, TokenStore.memory(), "s2s")
            }
            assertFalse("not-the-s2s-secret-4711" in stored.toString(), stored.toString())
            assertEquals(2L, mock.grantStatus("client_credentials", "401"))
        }
    }

    test("StateMismatch: the callback of another login attempt") {
        MockServer("--auto-approve").use { mock ->
            val oauth = publicClient(mock)
            val first = oauth.authorize()
            val second = oauth.authorize()
            val e = assertFailsWith<WfOauthException.StateMismatch> { oauth.exchange(first, browse(second.url())) }
            assertFalse(e.retryable)
        }
    }

    test("AuthorizationDenied: the user presses Deny") {
        MockServer().use { mock ->
            val oauth = publicClient(mock)
            val pending = oauth.authorize()
            val e = assertFailsWith<WfOauthException.AuthorizationDenied> {
                oauth.exchange(pending, browse(pending.url(), allow = false))
            }
            assertEquals("access_denied", e.code)
        }
    }

    test("AuthorizationFailed: the authorization server reports an error") {
        MockServer("--auto-approve").use { mock ->
            val oauth = publicClient(mock)
            val pending = oauth.authorize()
            val callback = "$REDIRECT_URI?error=temporarily_unavailable&state=${stateOf(pending.url())}"
            val e = assertFailsWith<WfOauthException.AuthorizationFailed> { oauth.exchange(pending, callback) }
            assertEquals("temporarily_unavailable", e.code)
        }
    }

    test("CodeExpired: the code is exchanged after its two minutes") {
        MockServer("--auto-approve").use { mock ->
            val clock = ManualClock.startingNow()
            val oauth = publicClient(mock, clock)
            val pending = oauth.authorize()
            val authorization = oauth.acceptCallback(pending, browse(pending.url()))
            clock.advance(121u)
            assertFailsWith<WfOauthException.CodeExpired> { oauth.exchangeCode(authorization) }
            assertEquals(0L, mock.grants("authorization_code"), "a dead code is never sent")
        }
    }

    test("ReauthRequired: refresh token revoked, or nothing stored") {
        MockServer("--auto-approve").use { mock ->
            val oauth = publicClient(mock)
            val client = oauth.login(TokenStore.memory(), "alice", signIn(oauth))
            mock.revokeAllRefreshTokens()
            mock.expireAllSessions()
            val e = assertFailsWith<WfOauthException.ReauthRequired> { client.get("proj/count") }
            assertFalse(e.retryable)
            assertTrue(client.reauthRequired())
            assertFailsWith<WfOauthException.ReauthRequired> { oauth.open(TokenStore.memory(), "nobody") }
        }
    }

    test("TokenEndpoint: a wrong client secret") {
        MockServer("--auto-approve").use { mock ->
            val oauth = confidentialClient(mock, secret = "not-the-secret")
            val e = assertFailsWith<WfOauthException.TokenEndpoint> { signIn(oauth) }
            assertEquals(401, e.status?.toInt())
            assertEquals("invalid_client", e.code)
        }
    }

    test("Api: an unknown project and an unknown field") {
        MockServer("--auto-approve").use { mock ->
            val oauth = publicClient(mock)
            val client = oauth.clientFor(signIn(oauth))
            val missing = assertFailsWith<WfOauthException.Api> { client.get("proj/0000000000000000000000000000dead") }
            assertEquals(404, missing.status?.toInt())
            val bad = assertFailsWith<WfOauthException.Api> { client.searchAll("proj", mapOf("colour" to "red")) }
            assertEquals(400, bad.status?.toInt())
        }
    }

    test("Transport: the connection closes before any answer") {
        MockServer("--auto-approve").use { mock ->
            val oauth = publicClient(mock)
            val client = oauth.clientFor(signIn(oauth))
            // A POST is not replayed once it may have reached the server.
            mock.fault("""{"endpoint":"api","count":1,"fault":{"kind":"drop"}}""")
            val e = assertFailsWith<WfOauthException.Transport> { client.post("proj", """{"name":"x"}""") }
            assertEquals(null, e.status)
        }
    }

    test("Storage: the app's store throws, typed or not") {
        MockServer("--auto-approve").use { mock ->
            val oauth = publicClient(mock)
            val tokens = signIn(oauth)
            val storage = MapStorage()
            storage.refuseSaves = true
            val refused = assertFailsWith<WfOauthException.Storage> {
                oauth.login(TokenStore.custom(storage), "alice", tokens)
            }
            assertTrue("the keystore is locked" in refused.reason, refused.reason)
            storage.breakLoads = true
            val broken = assertFailsWith<WfOauthException.Storage> { oauth.open(TokenStore.custom(storage), "alice") }
            assertTrue("keystore unavailable" in broken.reason, broken.reason)
            val garbage = object : CredentialStorage {
                override fun load(key: String): String? = "{ not a credential"
                override fun save(key: String, document: String) = Unit
                override fun delete(key: String) = Unit
            }
            assertFailsWith<WfOauthException.Storage> { oauth.open(TokenStore.custom(garbage), "alice") }
        }
    }

    test("Protocol: a token answer that is not JSON, a callback without a code") {
        MockServer("--auto-approve").use { mock ->
            val oauth = publicClient(mock)
            mock.fault("""{"endpoint":"authorization_code","count":1,"fault":{"kind":"html","status":200}}""")
            assertFailsWith<WfOauthException.Protocol> { signIn(oauth) }
            val pending = oauth.authorize()
            assertFailsWith<WfOauthException.Protocol> {
                oauth.exchange(pending, "$REDIRECT_URI?state=${stateOf(pending.url())}")
            }
        }
    }
}
