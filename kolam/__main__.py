from kolam.cli import main

main()
