-- Documents attached to a section of results: PDFs and images that staff upload. The file
-- itself lives in the media folder under the hex SHA-256 of its bytes (one copy however
-- often it is attached); the row keeps the name it was uploaded with, for downloads.
CREATE TABLE result_documents (
    id INTEGER PRIMARY KEY,
    result_id INTEGER NOT NULL REFERENCES theme_results (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    byte_size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX result_documents_result ON result_documents (result_id, id);
CREATE INDEX result_documents_file ON result_documents (sha256);
