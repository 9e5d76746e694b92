"""Screen truth (issue 13): is the screen really showing what the player decided to show?
Periodic captures are compared with the frame the controller expected for that moment."""
