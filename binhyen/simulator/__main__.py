from binhyen.simulator.server import main

raise SystemExit(main())
