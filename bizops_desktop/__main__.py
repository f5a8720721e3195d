from bizops_desktop.cli import main

raise SystemExit(main())
