"""The service layer: what Bridgemap does for a request, whoever asks.

API routes (:mod:`service.api`) and web pages (:mod:`service.web`) are thin adapters
over these functions: they parse input, call one use case and shape the answer (JSON
or HTML). Neither imports the other; what both need lives here.

==================================  ===============================================
:mod:`service.usecases.context`     the running app's store, cache, secret and asker
:mod:`service.usecases.reports`     the cached report and change, paged for the API
:mod:`service.usecases.entities`    people, organisations, ties: build, list, read
:mod:`service.usecases.tokens`      tokens and share links: issue, describe, check
:mod:`service.usecases.viewer_graphs`  the graphs the pages draw, with the report's
                                    figures (one viewer pipeline)
==================================  ===============================================
"""
