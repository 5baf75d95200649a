from .cli import exit_now, main

exit_now(main())  # an error raised from main() still ends the usual way, with its traceback
