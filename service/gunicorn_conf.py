"""gunicorn settings for Bridgemap (``gunicorn -c python:service.gunicorn_conf``).

The access log is on (to standard output) and masks any token in a request line
(:mod:`service.logs`): the filter is installed in every worker, where requests are
logged, and in the master.
"""

from service import logs

bind = "0.0.0.0:8000"
workers = 2
threads = 4
accesslog = "-"


def on_starting(server):
    logs.install()


def post_worker_init(worker):
    logs.install()
