package app;

public class Api {}
