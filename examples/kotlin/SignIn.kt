// Sign in to Workfront from a command-line Kotlin program and list projects.
//
// The program is a public OAuth 2 client (PKCE, no secret), as desktop and mobile apps
// are: it starts a loopback HTTP server for the redirect, prints the authorize URL for
// the system browser, exchanges the code, keeps the tokens in a file store, and reuses
// them on the next run without a browser.
//
//   java -Djna.library.path=<dir of libwf_oauth_uniffi.so> -cp <jars> io.wfoauth.example.SignInKt \
//        --instance acme.my.workfront.com --client-id <id> \
//        [--redirect-uri http://127.0.0.1:8765/callback] [--store DIR] [--key NAME] [--logout] \
//        [--provider legacy|ims|generic] [--scope SCOPE] [--ims-base URL] \
//        [--authorize-url URL --token-url URL]
//
// The provider defaults to Workfront's legacy OAuth 2 service; `ims` signs in with an Adobe
// Developer Console single-page/native app credential (a scope is required, e.g.
// "openid AdobeID additional_info.projectedProductContext"). Each flag can also come from
// the environment: WF_PROVIDER, WF_SCOPE, WF_IMS_BASE, WF_AUTHORIZE_URL, WF_TOKEN_URL.
//
// On Android or iOS, replace the file store with TokenStore.custom(<your CredentialStorage
// over the Keystore/Keychain>) and the loopback server with the app's redirect handler.
package io.wfoauth.example

import com.sun.net.httpserver.HttpServer
import io.wfoauth.ClientOptions
import io.wfoauth.OAuthClient
import io.wfoauth.Provider
import io.wfoauth.TokenStore
import io.wfoauth.WfOauthException
import io.wfoauth.WorkfrontClient
import kotlinx.coroutines.runBlocking
import java.awt.Desktop
import java.io.File
import java.net.InetSocketAddress
import java.net.URI
import java.util.concurrent.CompletableFuture
import java.util.concurrent.TimeUnit
import kotlin.system.exitProcess

private class Args(argv: Array<String>) {
    private val values = mutableMapOf<String, String>()
    private val flags = mutableSetOf<String>()

    init {
        var i = 0
        while (i < argv.size) {
            val name = argv[i].removePrefix("--")
            if (name == "logout") flags.add(name) else values[name] = argv.getOrNull(++i) ?: usage("$name needs a value")
            i++
        }
    }

    fun value(name: String): String? = values[name]

    /** A provider setting: the flag, else the environment variable `WF_<NAME>` (`WF_IMS_BASE`). */
    fun setting(name: String): String? =
        values[name] ?: System.getenv("WF_" + name.uppercase().replace('-', '_'))?.takeIf { it.isNotEmpty() }
    fun flag(name: String) = name in flags
}

private fun usage(problem: String): Nothing {
    System.err.println(
        "$problem\nusage: SignIn --instance HOST --client-id ID [--redirect-uri URI] [--store DIR] [--key NAME] [--logout]\n" +
            "       [--provider legacy|ims|generic] [--scope SCOPE] [--ims-base URL] [--authorize-url URL --token-url URL]",
    )
    exitProcess(2)
}

/** The authorization server named by `--provider` (Workfront's legacy service by default). */
private fun provider(args: Args): Provider = when (val name = args.setting("provider") ?: "legacy") {
    "legacy" -> Provider.WorkfrontLegacy
    "ims" -> Provider.AdobeIms(imsBase = args.setting("ims-base"))
    "generic" -> Provider.Generic(
        authorizeUrl = args.setting("authorize-url") ?: usage("--provider generic needs --authorize-url"),
        tokenUrl = args.setting("token-url") ?: usage("--provider generic needs --token-url"),
    )
    else -> usage("unknown provider $name (legacy, ims or generic)")
}

/** Waits for the browser to come back to the (loopback) redirect URI. */
private class LoopbackRedirect(private val redirectUri: String) : AutoCloseable {
    private val uri = URI(redirectUri)
    private val server = HttpServer.create(InetSocketAddress(uri.host, uri.port), 0)
    private val callback = CompletableFuture<String>()

    init {
        server.createContext(uri.path) { exchange ->
            val page = "<p>Signed in. You can close this window.</p>".toByteArray()
            exchange.responseHeaders.add("Content-Type", "text/html; charset=utf-8")
            exchange.sendResponseHeaders(200, page.size.toLong())
            exchange.responseBody.use { it.write(page) }
            // The full URL, with the query the authorization server appended.
            callback.complete(redirectUri + "?" + (exchange.requestURI.rawQuery ?: ""))
        }
        server.start()
    }

    fun await(minutes: Long): String = callback.get(minutes, TimeUnit.MINUTES)

    override fun close() = server.stop(0)
}

private suspend fun signIn(oauth: OAuthClient, redirectUri: String, store: TokenStore, key: String): WorkfrontClient {
    LoopbackRedirect(redirectUri).use { redirect ->
        val pending = oauth.authorize()
        println("Open this URL in your browser:")
        println(pending.url())
        if (Desktop.isDesktopSupported() && Desktop.getDesktop().isSupported(Desktop.Action.BROWSE)) {
            Desktop.getDesktop().browse(URI(pending.url()))
        }
        val tokens = oauth.exchange(pending, redirect.await(minutes = 5))
        println("Signed in (token ${tokens.accessTokenFingerprint()}).")
        return oauth.login(store, key, tokens)
    }
}

fun main(argv: Array<String>) = runBlocking {
    val args = Args(argv)
    val instance = args.value("instance") ?: usage("--instance is required")
    val clientId = args.value("client-id") ?: usage("--client-id is required")
    val key = args.value("key") ?: "default"
    val dir = args.value("store") ?: File(System.getProperty("user.home"), ".wf-oauth-example").path
    val redirectUri = args.value("redirect-uri") ?: "http://127.0.0.1:8765/callback"
    val store = TokenStore.file(dir)
    val options = ClientOptions(
        instance = instance,
        clientId = clientId,
        redirectUri = redirectUri,
        scope = args.setting("scope"),
        provider = provider(args),
    )
    val oauth = try {
        OAuthClient(options)
    } catch (e: WfOauthException.InvalidArgument) {
        usage("invalid configuration: ${e.reason}")
    }
    val client = try {
        oauth.open(store, key).also { println("Using the stored sign-in.") }
    } catch (e: WfOauthException.ReauthRequired) {
        signIn(oauth, redirectUri, store, key)
    }
    try {
        val count = Regex("\"count\"\\s*:\\s*(\\d+)").find(client.get("proj/count"))?.groupValues?.get(1)
        println("projects: $count")
        val cursor = client.search("proj", mapOf("status" to "CUR"), pageSize = 50u)
        var pages = 0
        var current = 0
        while (true) {
            val page = cursor.nextPage() ?: break
            pages++
            current += page.size
        }
        println("current projects: $current in $pages page(s)")
        if (args.flag("logout")) {
            client.logout()
            println("Signed out.")
        }
    } catch (e: WfOauthException) {
        System.err.println("Workfront call failed: ${e.message}")
        exitProcess(1)
    }
}
