// Every error category, each raised by a real scenario against the fake server and caught
// as its own Kotlin type.
package io.wfoauth.tests

import io.wfoauth.ClientOptions
import io.wfoauth.CredentialStorage
import io.wfoauth.ManualClock
import io.wfoauth.OAuthClient
import io.wfoauth.TokenStore
import io.wfoauth.WfOauthException
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
