# Sourced by the scripts: sets JAVA_HOME to a JDK >= 25 (JAVA_HOME first, then the usual places) or exits.
java_major() {
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n1
}
find_jdk() {
  local c v
  for c in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*25* /usr/lib/jvm/* /opt/java/* /opt/*jdk* /usr/local/*jdk*; do
    [ -n "$c" ] && [ -x "$c/bin/java" ] && [ -x "$c/bin/javac" ] || continue
    v="$(java_major "$c/bin/java")"
    if [ -n "$v" ] && [ "$v" -ge 25 ]; then echo "$c"; return 0; fi
  done
  return 1
}
if ! JAVA_HOME="$(find_jdk)"; then
  echo "jtorch: no JDK 25 or newer found (looked at \$JAVA_HOME, /usr/lib/jvm, /opt)." >&2
  echo "jtorch: install one (e.g. Temurin 25: apt-get install temurin-25-jdk) or set JAVA_HOME to it." >&2
  exit 2
fi
export JAVA_HOME
