"""The Textual wizard. It never imports boto3: every AWS call goes through wizard.session in a thread worker."""
