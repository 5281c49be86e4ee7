# wf-oauth-uniffi: what the Kotlin tests of the uniffi bindings need (sourced by scripts/bootstrap.sh).
#   openjdk-17-jre-headless  runs kotlinc and the tests (only when no java is on PATH)
#   libjna-java              JNA, which the generated Kotlin uses to call the cdylib
#   kotlin-compiler (npm)    a full kotlinc plus kotlinx-coroutines and kotlin-test jars,
#                            unpacked once into $WF_CACHE/kotlin-<version>
# Exports WF_KOTLIN_HOME (the compiler's root) and WF_JNA_JAR for just/uniffi.just.
wf_kotlin_version="2.4.20"
command -v java >/dev/null 2>&1 || apt_install openjdk-17-jre-headless
apt_install libjna-java
export WF_JNA_JAR="/usr/share/java/jna.jar"
export WF_KOTLIN_HOME="$WF_CACHE/kotlin-$wf_kotlin_version"
if [ ! -x "$WF_KOTLIN_HOME/bin/kotlinc" ]; then
    wf_log "npm pack kotlin-compiler@$wf_kotlin_version into $WF_KOTLIN_HOME"
    wf_kotlin_tmp="$(mktemp -d "$WF_CACHE/kotlin-download.XXXXXX")"
    # `npm pack` fetches the registry tarball without installing anything into a project;
    # unpacking into a temporary folder and renaming keeps an interrupted run from leaving
    # a half-unpacked compiler behind.
    (cd "$wf_kotlin_tmp" && npm pack --silent "kotlin-compiler@$wf_kotlin_version" >/dev/null \
        && tar -xzf kotlin-compiler-*.tgz)
    chmod +x "$wf_kotlin_tmp/package/bin/"*
    rm -rf "$WF_KOTLIN_HOME"
    mv "$wf_kotlin_tmp/package" "$WF_KOTLIN_HOME"
    rm -rf "$wf_kotlin_tmp"
fi
export PATH="$WF_KOTLIN_HOME/bin:$PATH"
