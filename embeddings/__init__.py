"""The packaged sentence encoder, the FAISS index with its id map, and the passage store."""
