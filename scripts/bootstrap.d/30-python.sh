# wf-oauth-py: what the Python package's build, tests and benchmarks need
# (sourced by scripts/bootstrap.sh). Every version is pinned.
#   maturin                      builds the abi3 wheel and the sdist
#   pytest, pytest-asyncio,
#   pytest-timeout               the test suite (every test time-bounded)
#   httpx, requests              the adapters' HTTP stacks, exercised for real
#   requests-oauthlib, oauthlib,
#   authlib                      the libraries the benchmark compares against; Authlib's
#                                authorization server is also the third-party OAuth 2
#                                server of the generic-provider tests
#   mypy, types-requests         `mypy --strict` over an example, stubtest over the module
#   flask, werkzeug              the web-application example; the Flask app and werkzeug
#                                server hosting Authlib's authorization server in the tests
pip_install \
    "maturin==1.16.0" \
    "pytest==9.2.0" \
    "pytest-asyncio==1.5.0" \
    "pytest-timeout==2.4.0" \
    "httpx==0.28.1" \
    "requests==2.34.2" \
    "requests-oauthlib==2.0.0" \
    "authlib==1.9.6" \
    "mypy==2.4.1" \
    "types-requests==2.33.0.20261030" \
    "flask==3.1.3" \
    "werkzeug==3.1.9" \
    "oauthlib==4.0.1"
