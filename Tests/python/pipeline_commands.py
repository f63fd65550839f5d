"""Parses CI pipeline files (and Kubernetes manifests, several documents each) as YAML and prints, as JSON, every hookctl command line their scripts run.

Usage: pipeline_commands.py FILE...
Output: {"FILE": ["hookctl apply ...", ...]}. Exit 1 if a file is not valid YAML.
"""
import json
import re
import sys

import yaml


def strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from strings(value)


def main():
    found = {}
    for path in sys.argv[1:]:
        with open(path) as handle:
            documents = list(yaml.safe_load_all(handle))
        commands = []
        for text in strings(documents):
            for line in text.splitlines():
                match = re.match(r"\s*(hookctl\s.*)$", line)
                if match:
                    commands.append(match.group(1))
        found[path] = commands
    print(json.dumps(found))


if __name__ == "__main__":
    main()
