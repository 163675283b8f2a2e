DROP TABLE identity_user_trigram_counts;
DROP TABLE identity_user_trigrams;
