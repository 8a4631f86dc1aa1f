"""The Bot Framework edge: HTTP, authentication, CloudAdapter, activity translation. The only place
that imports botbuilder, so the edge can move to the Microsoft 365 Agents SDK by changing one folder."""
