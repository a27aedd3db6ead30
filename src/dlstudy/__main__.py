from dlstudy.cli import run

run()
