"""The Gradio web demo: its layout, its actions and the uploads it accepts."""
