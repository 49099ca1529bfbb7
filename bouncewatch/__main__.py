from bouncewatch.plugin.cli import run

raise SystemExit(run())
