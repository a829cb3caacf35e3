#!/usr/bin/env bash
# Replaces the Swagger UI files that GET /docs serves with those of the npm
# package swagger-ui-dist at the version given (default: the one in
# swagger-ui/VERSION). Only the built files the page needs are kept, gzipped
# (-9n, so the same input gives the same bytes), with the licenses.
#   bash httpadapter/docs/update-swagger-ui.sh [VERSION]
set -euo pipefail
cd "$(dirname "$0")/swagger-ui"
version=${1:-$(sed -n 's/^version //p' VERSION)}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "swagger-ui-dist@$version" >/dev/null)
tarball=$(ls "$work"/swagger-ui-dist-*.tgz)
tar -xzf "$tarball" -C "$work"
for f in swagger-ui-bundle.js swagger-ui.css; do
  gzip -9n <"$work/package/$f" >"$f.gz"
done
cp "$work/package/LICENSE" "$work/package/NOTICE" "$work/package/swagger-ui-bundle.js.LICENSE.txt" .
{
  echo "version $version"
  echo "integrity $(npm view "swagger-ui-dist@$version" dist.integrity)"
  echo "sha256 swagger-ui-bundle.js $(sha256sum <"$work/package/swagger-ui-bundle.js" | cut -d' ' -f1)"
  echo "sha256 swagger-ui.css $(sha256sum <"$work/package/swagger-ui.css" | cut -d' ' -f1)"
} >VERSION
echo "swagger-ui-dist $version"
