#!/usr/bin/env bash
# Builds a self-contained QuantScope app image (and, with --type deb|rpm, an installer) with jpackage.
# Usage: installer/package.sh [--type app-image|deb|rpm]   (after ./mvnw -q package -DskipTests)
set -euo pipefail
cd "$(dirname "$0")/.."
type="app-image"
[ "${1:-}" = "--type" ] && type="$2"
jdk="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
[ -f target/quantscope.jar ] || { echo "run ./mvnw -q package -DskipTests first" >&2; exit 1; }

rm -rf target/runtime target/installer target/jpackage-input
"$jdk/bin/jlink" @jlink.conf --output target/runtime

mkdir -p target/jpackage-input
cp target/quantscope.jar target/jpackage-input/
cp target/lib/*.jar target/jpackage-input/
fx_mods=$(cd target/jpackage-input && ls javafx-*-linux.jar | sed 's|^|$APPDIR/|' | tr '\n' ':')

"$jdk/bin/jpackage" --type "$type" --name QuantScope --app-version 0.1.0 \
  --input target/jpackage-input --main-jar quantscope.jar --main-class dev.quantscope.Launcher \
  --runtime-image target/runtime \
  --icon assets/icons/quantscope-256.png \
  --resource-dir installer/resources \
  --java-options "--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED,javafx.graphics -Xss4m" \
  --java-options "-XX:CompileCommand=quiet -XX:CompileCommand=dontinline,dev.quantscope.engine.kernel.*::rowDot -XX:CompileCommand=dontinline,dev.quantscope.engine.kernel.BatchKernels*::dot* -XX:CompileCommand=dontinline,dev.quantscope.engine.kernel.BatchKernels*::decode -XX:CompileCommand=inline,dev.quantscope.engine.kernel.VectorKernels::*" \
  --java-options "--module-path ${fx_mods%:} --add-modules javafx.controls,javafx.fxml" \
  --dest target/installer
echo "written to target/installer"
