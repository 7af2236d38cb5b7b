"""A sample program for ``mentorbot demo``: a seeded plan of people joining, meeting, setting
goals and answering surveys, driven through the bot's real commands on a fake clock
(:func:`bot.demo.run.drive`), so a coordinator can see a populated report before running one.
"""
