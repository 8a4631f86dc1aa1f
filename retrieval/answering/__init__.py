"""Answering an IT question from the index, as a pipeline of named steps (``pipeline.Answerer``):

1. **rewrite** (``followup``): the question without its chatter, led by the previous question when
   it is a follow-up ("og på mobilen?");
2. **mask** (``core.pii``): personal data out before the query is searched, embedded or sent on;
3. **search** (the ``SearchIndex`` port, with the query's embedding when an embedder is set);
4. **extract** (``extractive``: the best passages quoted, no LLM) or **ground** (``grounded``: an
   LLM writes a short answer from numbered sources, falling back to the extract);
5. **cite** (``cite``): citation titles, links and snippets; a resolved ticket anonymised, never linked.

The knowledge skill (``skills/knowledge``) only turns the ``Answer`` into cards, feedback and escape hatches.
"""
