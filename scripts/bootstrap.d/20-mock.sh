# wf-oauth-mock: what its end-to-end tests need (sourced by scripts/bootstrap.sh).
#   curl                      the seed page's commands, run by the Rust binary test
#   chromium, chromium-driver headless browser for tests/browser/
#   selenium (pinned)         drives it from Python, with the system chromedriver
apt_install curl ca-certificates chromium chromium-driver
pip_install "selenium==4.50.0"
