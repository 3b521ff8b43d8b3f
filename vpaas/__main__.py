from vpaas.cli import main

main()
