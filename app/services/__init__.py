"""Operations named by verb. They take ``session=`` as a keyword, flush, and never commit."""
