-- What officials write as the cost of an answer (「約1,200万円」, 「未定」), kept as typed;
-- cost_estimate_yen stays the optional number used to sort.
ALTER TABLE proposal_answers ADD COLUMN cost_text TEXT;
