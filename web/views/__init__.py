"""The portal's views, one module per kind of page (as datasette keeps its ``views/``).

- :mod:`.signin`: the home redirect, the sign-in link's page and form, signing out and
  the language switch;
- :mod:`.work`: My work, the contact's to-do list;
- :mod:`.occurrence`: one occurrence's page and the evidence submitted from it;
- :mod:`.review`: the reviewers' queue, a piece of evidence and the decision on it;
- :mod:`.files`: an attachment of a piece of evidence, downloaded or viewed;
- :mod:`.committee`: a committee's progress and its narrative for the M&E reports;
- :mod:`.calendars`: the contact's calendar feeds;
- :mod:`.static`: the stylesheet.

Each view is a plain async function taking the shared :class:`naptip.web.context.Portal`
and the request (and, behind a sign-in, the :class:`naptip.web.access.Viewer`);
:func:`naptip.web.app.create_app` puts them in the routes table.
"""
