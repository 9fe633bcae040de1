"""Regenerate ``communes.tsv.gz`` from the official list of French communes.

The source is ``data/communes.json`` of the npm package ``@etalab/decoupage-administratif`` (INSEE's
Code officiel géographique with La Poste's postcodes; open data under the Licence Ouverte):

    npm pack @etalab/decoupage-administratif && tar xzf etalab-decoupage-administratif-*.tgz
    python home/data/make_communes.py package/data/communes.json

Only current communes are kept, one line each: INSEE code, name, postcodes separated by spaces. The
portal needs no npm: the compressed file is committed and read by ``home.communes``.
"""

import gzip
import json
import sys
from pathlib import Path

TARGET = Path(__file__).with_name("communes.tsv.gz")


def main(source: str) -> None:
    communes = json.loads(Path(source).read_text(encoding="utf-8"))
    lines = sorted(
        f"{c['code']}\t{c['nom']}\t{' '.join(sorted(c.get('codesPostaux') or []))}\n"
        for c in communes
        if c.get("type") == "commune-actuelle"
    )
    # mtime=0: the same source gives the same bytes.
    with gzip.GzipFile(TARGET, "wb", compresslevel=9, mtime=0) as out:
        out.write("".join(lines).encode("utf-8"))
    print(f"{len(lines)} communes written to {TARGET}")


if __name__ == "__main__":
    main(sys.argv[1])
