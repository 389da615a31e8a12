-- The dashboard pages by (coalesce(severity, -1) DESC, id DESC) through the comments_keyset_*
-- indexes (002); nothing orders by this one any more, and comments_keyset_decision leads with
-- decision too. Every stored comment and every decision paid for keeping it up to date.
DROP INDEX IF EXISTS comments_queue;
