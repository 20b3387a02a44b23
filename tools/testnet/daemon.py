"""The life of a test-internet server script (badns.py, hostile.py): bind
everything, then write the pid file (so a pid file means "ready"), serve until
SIGTERM or SIGINT, close, and remove the pid file only if it is still ours — a
second instance that failed to bind must not orphan the running one.

Python 3 standard library only.
"""
import asyncio
import os
import signal


async def serve(servers, pidfile, log):
    """Starts every server (objects with async start(), describe(), close()), then waits for a signal."""
    for server in servers:
        await server.start()
        log(f"listening: {server.describe()}")
    if pidfile:
        temporary = pidfile + ".tmp"
        with open(temporary, "w") as handle:
            handle.write(f"{os.getpid()}\n")
        os.replace(temporary, pidfile)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()
    for server in servers:
        server.close()
    log("stopped")


def run(main, pidfile):
    """asyncio.run(main), then the pid file removed if it names this process."""
    try:
        asyncio.run(main)
    finally:
        if pidfile:
            try:
                with open(pidfile) as handle:
                    if handle.read().strip() == str(os.getpid()):
                        os.unlink(pidfile)
            except OSError:
                pass
