from bouncewatch.plugin.cli import main

raise SystemExit(main())
