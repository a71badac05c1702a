"""Runs one private Postfix master for @mail/testkit and guarantees its cleanup.

Usage: postfix_watchdog.py <config_dir> <instance_dir>
Starts `master -c <config_dir> -s` in the foreground and prints master's pid on stdout (its
smtpd listens on port 0: the caller finds the port the kernel chose). When stdin closes (the test called
stop(), or the Node process died) or master exits by itself, it stops master, kills every
process of the instance (they all carry MAIL_CONFIG=<config_dir>), prints the Postfix log
to stderr if master died on its own, and removes <instance_dir>.
"""
import os
import shutil
import signal
import subprocess
import sys
import threading

MASTER = '/usr/lib/postfix/sbin/master'
etc, instance = sys.argv[1], sys.argv[2]
marker = ('\0MAIL_CONFIG=%s\0' % etc).encode()
lock = threading.Lock()


def instance_pids():
    pids = []
    for name in os.listdir('/proc'):
        if not name.isdigit() or int(name) == os.getpid():
            continue
        try:
            with open('/proc/%s/environ' % name, 'rb') as f:
                if marker in b'\0' + f.read():
                    pids.append(int(name))
        except OSError:
            pass
    return pids


def cleanup(master, crashed):
    with lock:
        if master.poll() is None:
            master.terminate()  # master(8) stops its children on SIGTERM
            try:
                master.wait(3)
            except subprocess.TimeoutExpired:
                master.kill()
                master.wait()
        for pid in instance_pids():
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        if crashed:
            try:
                with open(os.path.join(instance, 'maillog')) as f:
                    sys.stderr.write('master exited with %s\n' % master.returncode)
                    sys.stderr.write(f.read()[-3000:])
                sys.stderr.flush()
            except (OSError, ValueError):
                pass  # nobody is listening any more (the test process died)
        shutil.rmtree(instance, ignore_errors=True)
        os._exit(0 if not crashed else 1)


def main():
    env = dict(os.environ, MAIL_CONFIG=etc)
    master = subprocess.Popen([MASTER, '-c', etc, '-s'], env=env, stdin=subprocess.DEVNULL,
                              stdout=subprocess.DEVNULL)
    sys.stdout.write('%d\n' % master.pid)
    sys.stdout.flush()

    def watch_stdin():
        sys.stdin.buffer.read()
        cleanup(master, False)
    threading.Thread(target=watch_stdin, daemon=True).start()
    master.wait()
    # Blocks on the lock while a stop (stdin closed) is cleaning up; then that one exits.
    cleanup(master, True)


if __name__ == '__main__':
    main()
