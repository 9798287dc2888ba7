"""A local npm registry serving the tarballs of dist/, for the artifact tests.

`npm install poci --registry http://127.0.0.1:PORT/` then resolves `poci` and its optional
platform package exactly as it would from npmjs.org: a packument per package (GET /NAME),
each version's tarball with its integrity (GET /NAME/-/FILE.tgz). Anything else is 404.

python3 packaging/npm_registry.py DIST PORT_FILE   (writes the chosen port to PORT_FILE)
"""

import base64
import hashlib
import http.server
import json
import sys
import tarfile
from pathlib import Path
from urllib.parse import unquote


def packages(dist: Path) -> dict:
    """Every `*.tgz` of dist as {name: {version: (manifest, tarball bytes)}}."""
    found: dict = {}
    for tarball in sorted(dist.glob("*.tgz")):
        data = tarball.read_bytes()
        with tarfile.open(tarball) as archive:
            member = archive.extractfile("package/package.json")
            if member is None:
                raise SystemExit(f"{tarball}: no package/package.json")
            manifest = json.load(member)
        found.setdefault(manifest["name"], {})[manifest["version"]] = (manifest, tarball.name, data)
    return found


def main() -> None:
    dist, port_file = Path(sys.argv[1]), Path(sys.argv[2])
    table = packages(dist)

    class Registry(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet: npm's own output is enough
            pass

        def send(self, status: int, body: bytes, kind: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):  # noqa: N802 - http.server's name
            path = unquote(self.path.split("?", 1)[0]).lstrip("/")
            base = f"http://{self.headers['Host']}"
            if "/-/" in path:
                name, file_name = path.split("/-/", 1)
                for _, tarball_name, data in table.get(name, {}).values():
                    if tarball_name == file_name:
                        return self.send(200, data, "application/octet-stream")
                return self.send(404, b"{}", "application/json")
            versions = table.get(path)
            if versions is None:
                return self.send(404, b'{"error":"not found"}', "application/json")
            document = {"name": path, "dist-tags": {}, "versions": {}}
            for version, (manifest, tarball_name, data) in versions.items():
                entry = dict(manifest)
                entry["dist"] = {
                    "tarball": f"{base}/{path}/-/{tarball_name}",
                    "shasum": hashlib.sha1(data).hexdigest(),
                    "integrity": "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode(),
                }
                document["versions"][version] = entry
                document["dist-tags"]["latest"] = version
            self.send(200, json.dumps(document).encode(), "application/json")

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Registry)
    port_file.write_text(str(server.server_address[1]))
    server.serve_forever()


if __name__ == "__main__":
    main()
