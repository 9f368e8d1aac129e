-- Refused commands used to create the people they named (a typo, a self-thanks, a kudos over
-- the allowance...). Those records have no footprint: no thank-you given, received or revoked,
-- no department, not an admin. They are removed so coverage, exports and the thank-you book count
-- only real colleagues. Someone removed here who had only spoken (say, looked at a leaderboard)
-- is recorded again the next time they speak. Bots are kept: the platform reported them.
DELETE FROM members
WHERE is_bot = 0
  AND is_admin = 0
  AND department_id IS NULL
  AND NOT EXISTS (SELECT 1 FROM kudos k WHERE k.giver_id = members.id OR k.revoked_by = members.id)
  AND NOT EXISTS (SELECT 1 FROM kudos_recipients r WHERE r.member_id = members.id)
  AND NOT EXISTS (SELECT 1 FROM member_stats s WHERE s.member_id = members.id);
