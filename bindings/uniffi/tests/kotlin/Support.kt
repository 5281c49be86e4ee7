// What several tests share: client options for the fake server's two clients, a sign-in,
// and a token store written in Kotlin the way an app would write one over its Keystore.
package io.wfoauth.tests

import io.wfoauth.ClientOptions
import io.wfoauth.ClientSecret
import io.wfoauth.CredentialStorage
import io.wfoauth.ManualClock
import io.wfoauth.OAuthClient
import io.wfoauth.Provider
import io.wfoauth.TokenSet
import io.wfoauth.WfOauthException
import io.wfoauth.WorkfrontClient
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.coroutineScope
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.atomic.AtomicInteger
import kotlin.test.assertEquals

/** The fake server's public (PKCE, no secret) client: what a mobile app is. */
fun publicClient(mock: MockServer, clock: ManualClock? = null): OAuthClient =
    OAuthClient(ClientOptions(instance = mock.baseUrl, clientId = "demo-public", redirectUri = REDIRECT_URI, clock = clock))

/** The fake server's confidential client. */
fun confidentialClient(mock: MockServer, secret: String = "demo-secret"): OAuthClient =
    OAuthClient(
        ClientOptions(
            instance = mock.baseUrl,
            clientId = "demo-client",
            clientSecret = ClientSecret(secret),
            redirectUri = REDIRECT_URI,
        ),
    )

/** The scope the tests ask Adobe IMS (the fake) for. */
const val IMS_SCOPE = "openid AdobeID additional_info.projectedProductContext"

/** The lifetime of the fake's IMS access tokens (its default `--access-token-ttl-secs`). */
const val IMS_TOKEN_TTL_SECS = 86_399L

/**
 * A client of the fake's Adobe IMS endpoints (a mock started with `--mode ims`): the web
 * app when a secret is given (Server-to-Server too), the single-page app (PKCE) without.
 * `provider` names the same endpoints another way (a generic OAuth 2 server).
 */
fun imsClient(
    mock: MockServer,
    clock: ManualClock? = null,
    clientId: String = "demo-client",
    secret: String? = "demo-secret",
    scope: String? = IMS_SCOPE,
    provider: Provider = Provider.AdobeIms(imsBase = mock.baseUrl),
): OAuthClient = OAuthClient(
    ClientOptions(
        instance = mock.baseUrl,
        clientId = clientId,
        clientSecret = secret?.let { ClientSecret(it) },
        redirectUri = REDIRECT_URI,
        scope = scope,
        provider = provider,
        clock = clock,
    ),
)

/** `proj/count` from 50 coroutines at once; every answer must be the fake's 250. */
suspend fun fiftyCounts(client: WorkfrontClient) {
    val counts = coroutineScope {
        (1..50).map {
            async(Dispatchers.Default) { parseJson(client.get("proj/count")).obj().long("count") }
        }.awaitAll()
    }
    assertEquals(List(50) { 250L }, counts)
}

/** Time passes for the fake (started with `--manual-clock`) and for the SDK's clock alike. */
fun advanceBoth(mock: MockServer, clock: ManualClock, secs: Long) {
    mock.advanceClock(secs)
    clock.advance(secs.toULong())
}

/** A whole sign-in: authorize, the browser steps, exchange. */
suspend fun signIn(oauth: OAuthClient): TokenSet {
    val pending = oauth.authorize()
    return oauth.exchange(pending, browse(pending.url()))
}

/** A `CredentialStorage` in a map, with switches to make it fail. */
class MapStorage : CredentialStorage {
    val documents = ConcurrentHashMap<String, String>()
    val saves = AtomicInteger()

    /** Throw a `WfOauthException.Storage` from `save`, as a locked Keystore would. */
    @Volatile var refuseSaves = false

    /** Throw a plain `IllegalStateException` from `load`. */
    @Volatile var breakLoads = false

    override fun load(key: String): String? {
        check(!breakLoads) { "keystore unavailable" }
        return documents[key]
    }

    override fun save(key: String, document: String) {
        if (refuseSaves) throw WfOauthException.Storage("the keystore is locked", null, null, null, false)
        documents[key] = document
        saves.incrementAndGet()
    }

    override fun delete(key: String) {
        documents.remove(key)
    }
}

/** The state parameter of an authorize URL (what the server echoes in the callback). */
fun stateOf(authorizeUrl: String): String =
    Regex("[?&]state=([^&]*)").find(authorizeUrl)?.groupValues?.get(1) ?: error("no state in $authorizeUrl")
