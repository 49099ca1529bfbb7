"""bouncewatch: classify deferred and bounced mail from MTA logs.

The repository keeps DESIGN.md's layout: ``parsers/`` (pure functions over
strings) and ``plugin/`` (the running agent) install as
``bouncewatch.parsers`` and ``bouncewatch.plugin``.
"""

__version__ = "0.1.0"
SCHEMA = "bouncewatch/1"
