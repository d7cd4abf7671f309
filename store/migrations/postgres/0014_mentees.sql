-- Mentees' first mentoring, for SPEC 6's mentee activation, and merges,
-- which move a member's mentorships: both look activities up by mentee.
CREATE INDEX activities_mentee ON activities (mentee_id, occurred_at) WHERE mentee_id IS NOT NULL;
