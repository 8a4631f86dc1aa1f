"""`python app.py` = `rakel serve`: build the app from settings and run it."""

from cli.serve import serve
from core.settings import load_settings

if __name__ == "__main__":
    serve(load_settings())
