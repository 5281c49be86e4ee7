// Secrets never appear in what Kotlin prints: toString of every object and record, and the
// messages of errors.
package io.wfoauth.tests

import io.wfoauth.ClientOptions
import io.wfoauth.ClientSecret
import io.wfoauth.Provider
import io.wfoauth.TokenSet
import io.wfoauth.TokenStore
import io.wfoauth.WfOauthException
import io.wfoauth.WorkfrontClient
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertNotNull
import kotlin.test.assertTrue

private fun assertHides(printed: String, vararg secrets: String) {
    for (secret in secrets) assertFalse(secret in printed, "a secret leaked into: $printed")
}

fun secretTests() {
    test("tokens, pending authorizations and callbacks print without secrets") {
        MockServer("--auto-approve").use { mock ->
            val oauth = publicClient(mock)
            val pending = oauth.authorize()
            val state = stateOf(pending.url())
            assertHides(pending.toString(), state)
            assertTrue("redacted" in pending.toString(), pending.toString())
            val callback = browse(pending.url())
            val code = Regex("[?&]code=([^&]*)").find(callback)!!.groupValues[1]
            val authorization = oauth.acceptCallback(pending, callback)
            assertHides(authorization.toString(), code, state)
            val tokens = oauth.exchangeCode(authorization)
            val access = tokens.accessToken()
            val refresh = assertNotNull(tokens.refreshToken())
            assertHides(tokens.toString(), access, refresh)
            assertTrue("redacted" in tokens.toString(), tokens.toString())
            // The stored form does carry them, and reads back.
            val copy = TokenSet.fromJson(tokens.toJson())
            assertEquals(access, copy.accessToken())
            assertHides(copy.toString(), access, refresh)

            val client = oauth.login(TokenStore.memory(), "alice", tokens)
            mock.revokeAllRefreshTokens()
            mock.expireAllSessions()
            val e = assertFailsWith<WfOauthException.ReauthRequired> { client.get("proj/count") }
            assertHides(e.toString(), access, refresh)
            assertHides(e.message ?: "", access, refresh)
        }
    }

    test("Server-to-Server: secret and token stay out of options, tokens, clients and errors") {
        MockServer("--mode", "ims").use { mock ->
            val oauth = imsClient(mock)
            val options = ClientOptions(
                instance = mock.baseUrl,
                clientId = "demo-client",
                clientSecret = ClientSecret("demo-secret"),
                scope = IMS_SCOPE,
                provider = Provider.AdobeIms(imsBase = mock.baseUrl),
            )
            assertHides(options.toString(), "demo-secret")
            val client = WorkfrontClient.clientCredentials(oauth)
            val tokens = client.currentTokens()
            val access = tokens.accessToken()
            assertHides(tokens.toString(), access, "demo-secret")
            assertTrue("redacted" in tokens.toString(), tokens.toString())
            assertHides(client.toString(), access, "demo-secret")
            assertHides(oauth.toString(), "demo-secret")
            val e = assertFailsWith<WfOauthException.TokenEndpoint> {
                WorkfrontClient.clientCredentialsBlocking(imsClient(mock, secret = "wrong-s2s-s3cr3t"))
            }
            assertHides(e.toString(), "wrong-s2s-s3cr3t", "demo-secret")
            assertHides(e.message ?: "", "wrong-s2s-s3cr3t", "demo-secret")
        }
    }

    test("client secrets print redacted, alone and inside options and errors") {
        val secret = ClientSecret("s3cr3t-value")
        assertEquals("s3cr3t-value", secret.secret())
        assertHides(secret.toString(), "s3cr3t-value")
        val options = ClientOptions(instance = "acme.my.workfront.com", clientId = "id", clientSecret = secret)
        assertHides(options.toString(), "s3cr3t-value")
        MockServer("--auto-approve").use { mock ->
            val e = assertFailsWith<WfOauthException.TokenEndpoint> {
                signIn(confidentialClient(mock, secret = "wrong-s3cr3t"))
            }
            assertHides(e.toString(), "wrong-s3cr3t")
        }
    }
}
