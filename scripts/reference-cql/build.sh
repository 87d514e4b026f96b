#!/usr/bin/env bash
# Build the reference CQL (CategoricalData/CQL, Java) beside the project, to compare catrust's
# results with it on our own programs. Nothing of the reference enters the project: this script
# compiles a checkout that lives outside the repository.
#
#   scripts/reference-cql/build.sh [MIRROR_GIT_DIR] [OUT_DIR]
#
# MIRROR_GIT_DIR: a bare clone of github.com/CategoricalData/CQL (default: the workplace mirror
# /work/.mirror/CategoricalData+CQL/repo). OUT_DIR defaults to /tmp/cqlref.
#
# The stored snapshot lacks the GraalVM JavaScript jars, so three small patches are applied to
# the checkout: the options help text no longer lists Graal languages, the JavaScript context is
# created only when used, and with CQL_NO_JS=1 literals are parsed without JavaScript (numbers as
# Long, everything else as the string). Typesides with external_functions cannot run this way.
set -euo pipefail
mirror="${1:-/work/.mirror/CategoricalData+CQL/repo}"
out="${2:-/tmp/cqlref}"
here="$(cd "$(dirname "$0")" && pwd)"
mkdir -p "$out"
cd "$out"
for f in $(git -C "$mirror" ls-tree -r --name-only HEAD src lib); do
  mkdir -p "$(dirname "$f")"
  git -C "$mirror" show "HEAD:$f" > "$f" 2>/dev/null || rm -f "$f"
done
python3 - <<'PY'
import re
def patch(path, old, new):
    s = open(path).read()
    if old not in s:
        raise SystemExit(f'{path}: patch does not apply')
    open(path, 'w').write(s.replace(old, new))
patch('src/catdata/cql/AqlOptions.java',
      '+ org.graalvm.polyglot.Engine.create().getLanguages().keySet();', '+ "(not listed)";')
s = open('src/catdata/cql/ExternalCodeUtils.java').read()
s = re.sub(r'private final Context context = (Context\.newBuilder\(\)[^;]*);',
           r'private Context context0; private Context ctx() { if (context0 == null) context0 = \1; return context0; }', s, flags=re.S)
s = s.replace('context.eval(', 'ctx().eval(').replace('context.getBindings', 'ctx().getBindings')
s = re.sub(r'return Optional\.ofNullable\(context\.getEngine\(\)[^;]*;', 'return Optional.of(id);', s)
s = s.replace('\t\tcontext.close();', '\t\tif (context0 != null) context0.close();')
open('src/catdata/cql/ExternalCodeUtils.java', 'w').write(s)
patch('src/catdata/cql/AqlJs.java', '\t\t\treturn invoke(ty, parser, toParse);',
      '\t\t\tif (System.getenv("CQL_NO_JS") != null) { Object v; try { v = Long.parseLong(toParse); } catch (NumberFormatException n) { v = toParse; } return java.util.Optional.of(v); }\n\t\t\treturn invoke(ty, parser, toParse);')
PY
mkdir -p out driver/catdata/cql
cp "$here/RunDump.java" driver/catdata/cql/
javac -nowarn -encoding UTF-8 -d out -cp 'lib/*' -sourcepath src src/catdata/cql/AqlCmdLine.java
javac -nowarn -encoding UTF-8 -d out -cp 'out:lib/*' -sourcepath src driver/catdata/cql/RunDump.java
echo "built: $out (run with scripts/reference-cql/run.sh FILE)"
